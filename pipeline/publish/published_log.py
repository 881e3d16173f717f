"""releases/published.log: the record that a release was published, which outlives index.json.

One JSON object a line, appended and fsynced, never rewritten:

    {"event": "published", "release_id": "0003-1a2b3c4d", "version": "1a2b…", "at": "2026-…"}
    {"event": "rollback", "release_id": "0002-…", "from": "0003-…", "at": "…", "by": "plandata rollback"}

A release named by a ``published`` line is never modified, moved or quarantined by a build, damaged
or not, whatever index.json says or whether it exists: the index is rebuilt from the directories
and this log. Only a directory no line names (a build died between renaming it into releases/ and
switching ``latest``) can go to the quarantine. A line torn by a crash mid-append is ignored.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

LOG_NAME = "published.log"


def log_path(outputs: Path) -> Path:
    return outputs / "releases" / LOG_NAME


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def append(outputs: Path, event: str, release_id: str, **fields) -> None:
    """One line, written with a single write on an O_APPEND descriptor, then fsynced (and the folder
    too when the log is new)."""
    path = log_path(outputs)
    line = json.dumps({"event": event, "release_id": release_id, **fields, "at": fields.get("at") or now()},
                      ensure_ascii=False, sort_keys=True) + "\n"
    created = not path.exists()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.fstat(descriptor).st_size:
            # A crash mid-append leaves a line without its newline: end it, so this one stands alone.
            with open(path, "rb") as handle:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    line = "\n" + line
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:
        from pipeline.publish.release import fsync_dir

        fsync_dir(path.parent)


def events(outputs: Path) -> list[dict]:
    try:
        text = log_path(outputs).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    found = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and isinstance(event.get("release_id"), str):
            found.append(event)
    return found


def published(outputs: Path) -> set[str]:
    return {event["release_id"] for event in events(outputs) if event.get("event") == "published"}
