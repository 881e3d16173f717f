"""releases/index.json and release ids: what the publishing steps and the site both read.

Release ids are ``<seq>-<hash>``; the next sequence number is one past every number ever seen
(releases/, the quarantine, ``latest``, published.log and the index), so that none is reused.
Writing the index writes only the index: the outputs pages that derive from it are the site's,
written by whoever publishes after it (pipeline.site.write_outputs_index)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pipeline.errors import PlanDataError
from pipeline.publish import published_log

INDEX_NAME = "index.json"
QUARANTINE = ".quarantine"
RELEASE_ID = re.compile(r"^(?P<seq>[0-9]{4,})-(?P<hash>[0-9a-f]{8,})$")
NUMBERED = re.compile(r"^(?P<seq>[0-9]+)-")


def reason(error: BaseException) -> str:
    """An exception as words for a one-line message, without its class name."""
    if isinstance(error, PlanDataError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror + (f": {error.filename}" if error.filename else "")
    return " ".join(str(error).split()) or "unexpected error"


def sequence(release_id: str) -> int:
    return int(RELEASE_ID.match(release_id)["seq"])


def number(name: str) -> int:
    """The sequence number a name starts with, 0 when none."""
    match = NUMBERED.match(name)
    return int(match["seq"]) if match else 0


def releases_dir(outputs: Path) -> Path:
    return outputs / "releases"


def latest_target(outputs: Path) -> str | None:
    """The release id ``latest`` names, whether or not that release still exists."""
    link = outputs / "latest"
    if not link.is_symlink():
        return None
    name = Path(os.readlink(link)).name
    return name if RELEASE_ID.match(name) else None


def load_index(path: Path) -> tuple[dict | None, str | None]:
    """The index and None, or None and why it cannot be read."""
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"releases": []}, None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, reason(error)
    if not (isinstance(index, dict) and isinstance(index.get("releases"), list)
            and all(isinstance(e, dict) and isinstance(e.get("release_id"), str) for e in index["releases"])):
        return None, "not an index of releases"
    return index, None


def read_index(outputs: Path) -> dict:
    """releases/index.json; a one-line error naming it when it cannot be read."""
    path = releases_dir(outputs) / INDEX_NAME
    index, problem = load_index(path)
    if index is None:
        raise PlanDataError(f"cannot read the release index ({problem}); the next build rebuilds it", file=str(path))
    return index


def write_index(outputs: Path, index: dict) -> bool:
    """releases/index.json, atomically; True when it changed. Renders nothing."""
    return write_if_changed(releases_dir(outputs) / INDEX_NAME, json.dumps(index, ensure_ascii=False, indent=2) + "\n")


def quarantined(outputs: Path) -> list[str]:
    box = releases_dir(outputs) / QUARANTINE
    return [p.name for p in box.iterdir()] if box.is_dir() else []


def next_sequence(outputs: Path) -> int:
    """One past every sequence number ever seen: releases/, the quarantine, ``latest``, the index and
    published.log (which outlives a lost index)."""
    names = [p.name for p in releases_dir(outputs).iterdir()] if releases_dir(outputs).is_dir() else []
    names += quarantined(outputs)
    names.append(latest_target(outputs) or "")
    names += [event["release_id"] for event in published_log.events(outputs)]
    index, _ = load_index(releases_dir(outputs) / INDEX_NAME)
    if index:
        names += [entry["release_id"] for entry in index["releases"]]
        names += [name for name in index.get("missing", []) if isinstance(name, str)]
    numbers = [int(match["seq"]) for match in map(NUMBERED.match, names) if match]
    return max(numbers, default=0) + 1


def new_release_id(outputs: Path, content_version: str) -> str:
    """The id the next release of this content gets (computed under the build lock)."""
    return f"{next_sequence(outputs):04d}-{content_version[:8]}"


def fsync_file(path: str | Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_dir(path: str | Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_if_changed(path: Path, text: str) -> bool:
    """Atomically and fsynced; an identical file is left alone (a repair that changes nothing touches nothing)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    _write_atomic(path, text)
    return True


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
