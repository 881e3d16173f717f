"""A notice's optional metadata sidecar: ``<notice>.meta.json`` beside ``<notice>.txt``.

It says what the text cannot: the id to publish the notice under, where it was
published, under which licence, the jurisdiction whose units its labels name,
and a display title (the printed title stays as printed). Every key is
optional; an unknown key is refused, so that a misspelt ``licence`` is not
silently ignored.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.errors import PlanDataError

SUFFIX = ".meta.json"
MAX_BYTES = 64 * 1024
# key -> (what it must look like, why)
FIELDS = {
    "id": (re.compile(r"[a-z0-9][a-z0-9-]{0,63}"), "a lowercase ASCII slug (a-z, 0-9, -), at most 64 characters"),
    "title": (re.compile(r".{1,500}", re.S), "a display title of 1 to 500 characters"),
    "source_url": (re.compile(r"https?://\S+"), "an http(s) URL"),
    "license": (re.compile(r"\S(.{0,198}\S)?"), "a licence name or URL, e.g. CC-BY-4.0"),
    "jurisdiction": (re.compile(r"[a-z][a-z0-9_-]{0,63}"), "a jurisdiction of the registry, e.g. taizhou or national"),
}


def sidecar_path(notice: Path) -> Path:
    return notice.with_name(notice.name.removesuffix(notice.suffix) + SUFFIX)


def parse_sidecar(data: bytes, shown: str) -> dict[str, str]:
    """The sidecar's fields, checked; one PlanDataError naming the file (and line) otherwise."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise PlanDataError(f"metadata sidecar is not UTF-8 (byte {exc.start})", file=shown) from None
    except json.JSONDecodeError as exc:
        raise PlanDataError(f"metadata sidecar is not valid JSON: {exc.msg}", file=shown, line=exc.lineno) from None
    if not isinstance(value, dict):
        raise PlanDataError("metadata sidecar must be a JSON object", file=shown)
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise PlanDataError(f"metadata sidecar has unknown key(s) {', '.join(map(repr, unknown))}; "
                            f"known keys: {', '.join(FIELDS)}", file=shown)
    for key, text in value.items():
        pattern, meaning = FIELDS[key]
        if not isinstance(text, str) or not pattern.fullmatch(text):
            raise PlanDataError(f"metadata sidecar's {key} must be {meaning}, not {text!r}", file=shown)
    return value
