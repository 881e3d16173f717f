"""The deployment's settings file, sources/plandata.json: who publishes the dataset and what it is called.

It holds only what the publisher decides (publisher, name, title, description, licence, contact,
base URL, place, subject keywords). What the notices decide (counts, issuers, periods, years) is
computed from the tables and never written here. A sources folder without the file gets neutral
defaults that name no notice, no issuer and no place.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PlanDataError
from pipeline.sources.discovery import _inside, printable, read_bounded

SETTINGS_FILE = "plandata.json"
MAX_BYTES = 64 * 1024
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/NonProfitOrganisation"

DEFAULTS = {
    "publisher": "plandata",
    "name": "plan-notices",
    "title": "Plan notices: sections, tasks and unit assignments",
    "title_zh": "规划通知：章节、任务与单位分工",
    "description": ("Structured data extracted from Chinese government plan notices: the outline of each plan, "
                    "its tasks and the lead and co-operating units assigned to each."),
    "licence": {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0"},
    "contact": {},
    "base_url": None,
    "place": None,
    "keywords": [],
}
_TEXT = ("publisher", "name", "title", "title_zh", "description", "base_url", "place")
_CONTACT_KEYS = ("name", "email", "url")


@dataclass(frozen=True)
class Settings:
    values: dict
    path: Path
    found: bool
    sha256: str | None = None

    def __getitem__(self, key: str):
        return self.values[key]

    @property
    def contact(self) -> dict:
        """The contact point: its name defaults to the publisher's."""
        return {"name": self.values["publisher"], **self.values["contact"]}


def settings_path(sources_dir: Path) -> Path:
    return Path(sources_dir) / SETTINGS_FILE


def read_settings(sources_dir: Path) -> Settings:
    """The settings file's values over the defaults; refused with one line naming the file when it
    is no regular file (a FIFO, a directory), leads outside the folder, or is not what it should be."""
    path = settings_path(sources_dir)
    shown = printable(str(path))
    if not os.path.lexists(path):
        return Settings(dict(DEFAULTS), path, False)
    if path.is_symlink():
        _inside(str(path), os.path.realpath(sources_dir), shown)
    data = read_bounded(path, shown, MAX_BYTES, what="the settings file")
    try:
        given = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PlanDataError("is not UTF-8 text; save it as UTF-8", file=shown) from None
    except ValueError as error:
        raise PlanDataError(f"is not valid JSON: {getattr(error, 'msg', error)}",
                            file=shown, line=getattr(error, "lineno", None)) from None
    return Settings(_checked(given, shown), path, True, hashlib.sha256(data).hexdigest())


def _checked(given, shown: str) -> dict:
    if not isinstance(given, dict):
        raise PlanDataError("must hold one JSON object ({\"publisher\": ..., \"title\": ...})", file=shown)
    unknown = sorted(set(given) - set(DEFAULTS) - {"_comment"})
    if unknown:
        raise PlanDataError(f"unknown setting {unknown[0]!r}; the settings are {', '.join(DEFAULTS)}", file=shown)
    values = dict(DEFAULTS)
    for key, value in given.items():
        if key == "_comment":
            continue
        if key in _TEXT:
            if not (isinstance(value, str) and value.strip()) and not (value is None and key in ("base_url", "place")):
                raise PlanDataError(f"setting {key!r} must be a non-empty string", file=shown)
        elif key == "keywords":
            if not (isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)):
                raise PlanDataError("setting 'keywords' must be a list of non-empty strings", file=shown)
        elif key == "contact":
            if not (isinstance(value, dict) and set(value) <= set(_CONTACT_KEYS)
                    and all(isinstance(item, str) and item.strip() for item in value.values())):
                raise PlanDataError("setting 'contact' must be an object of strings with keys among "
                                    f"{', '.join(_CONTACT_KEYS)}", file=shown)
        elif key == "licence":
            if not (isinstance(value, dict) and isinstance(value.get("name"), str)
                    and all(isinstance(item, str) for item in value.values())):
                raise PlanDataError("setting 'licence' must be an object with a 'name' (and 'path', 'title')",
                                    file=shown)
        values[key] = value
    return values


def missing_line(settings: Settings) -> str | None:
    """The build's one line when the folder has no settings file; None when it has one."""
    if settings.found:
        return None
    return (f"No settings file {printable(str(settings.path))}: neutral identity (publisher, title, licence); "
            "see the README's \"Deployment settings\"")
