"""Immutable releases under OUTPUTS/releases/, an index, and an atomic switch of OUTPUTS/latest.

A build writes into OUTPUTS/.staging-*, validates there, renames the directory
into releases/ and then replaces the ``latest`` symlink with os.replace: each
step is one atomic rename, so a build killed at any moment leaves ``latest``
and every earlier release intact. Leftover staging directories are removed by
the next build, under the lock.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PlanDataError

STAGING_PREFIX = ".staging-"
LOCK_NAME = ".lock"
RELEASE_ID = re.compile(r"^(?P<seq>[0-9]{4,})-(?P<hash>[0-9a-f]{8,})$")


@contextmanager
def build_lock(outputs: Path, wait_seconds: float = 0.0):
    """One build at a time per OUTPUTS directory; a second one waits, then fails clearly."""
    outputs.mkdir(parents=True, exist_ok=True)
    path = outputs / LOCK_NAME
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise PlanDataError(f"another build is running on this outputs directory ({holder}); "
                                        "try again when it has finished", file=str(path)) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            clean_leftovers(outputs)
            reconcile(outputs)
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def clean_leftovers(outputs: Path) -> list[Path]:
    """Staging directories of killed builds. Only ever called under the lock."""
    removed = []
    for path in outputs.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        removed.append(path)
    for path in outputs.glob(".latest-*"):
        path.unlink(missing_ok=True)
    return removed



def releases_dir(outputs: Path) -> Path:
    return outputs / "releases"


def list_releases(outputs: Path) -> list[str]:
    directory = releases_dir(outputs)
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if p.is_dir() and RELEASE_ID.match(p.name))


def latest_release(outputs: Path) -> str | None:
    link = outputs / "latest"
    if link.is_symlink():
        return Path(os.readlink(link)).name
    return None


def read_index(outputs: Path) -> dict:
    path = releases_dir(outputs) / "index.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"releases": []}


@dataclass(frozen=True)
class Published:
    release_id: str
    path: Path
    new: bool  # False when the content equals the latest release's


def publish_staging(outputs: Path, staging: Path, content_version: str,
                    now: dt.datetime | None = None) -> Published:
    """Move a validated staging directory into releases/ and point ``latest`` at it.

    The switch of ``latest`` is the moment of publication; the index entry is
    written after it, and derived from the release's own files, so that a build
    killed in between is repaired by reconcile() under the next build's lock.
    """
    current = latest_release(outputs)
    if current and RELEASE_ID.match(current)["hash"] == content_version[:8]:
        shutil.rmtree(staging, ignore_errors=True)
        return Published(current, releases_dir(outputs) / current, new=False)
    existing = list_releases(outputs)
    seq = int(RELEASE_ID.match(existing[-1])["seq"]) + 1 if existing else 1
    release_id = f"{seq:04d}-{content_version[:8]}"
    target = releases_dir(outputs) / release_id
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, target)
    switch_latest(outputs, release_id)
    _add_to_index(outputs, release_id, current, now or dt.datetime.now(dt.timezone.utc))
    return Published(release_id, target, new=True)


def index_entry(release: Path) -> dict:
    """What index.json says of a release, read from the release's own files."""
    import pyarrow.parquet as pq

    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    rows = {resource["name"]: pq.read_metadata(release / "parquet" / f"{resource['name']}.parquet").num_rows
            for resource in descriptor["resources"] if resource["format"] == "csv"}
    changes: dict[str, int] = {}
    changes_file = release / "changes.json"
    for row in json.loads(changes_file.read_text(encoding="utf-8")) if changes_file.is_file() else []:
        key = f"{row['entity']} {row['change']}"
        changes[key] = changes.get(key, 0) + 1
    return {"version": descriptor["version"],
            "sources": {source["path"].rsplit("/", 1)[-1]: source["sha256"] for source in descriptor["sources"]},
            "rows": rows, "changes": dict(sorted(changes.items()))}


def _add_to_index(outputs: Path, release_id: str, previous: str | None, built_at: dt.datetime) -> None:
    index = read_index(outputs)
    index["releases"].append({"release_id": release_id, "built_at": built_at.isoformat(timespec="seconds"),
                              "previous": previous, **index_entry(releases_dir(outputs) / release_id)})
    index["latest"] = release_id
    _write_atomic(releases_dir(outputs) / "index.json", json.dumps(index, ensure_ascii=False, indent=2) + "\n")
    # issue 10 wiring (lead: re-apply on merge): outputs/index.html and outputs/history.sql from the index.
    from pipeline.site import write_outputs_index
    write_outputs_index(outputs)


def reconcile(outputs: Path) -> list[str]:
    """Repair what a killed build can leave: a release renamed into place but never made latest
    (removed: it was never published), or a latest that the index does not list yet (added)."""
    repaired = []
    listed = {entry["release_id"] for entry in read_index(outputs)["releases"]}
    latest = latest_release(outputs)
    for release_id in list_releases(outputs):
        if release_id in listed:
            continue
        if release_id == latest:
            previous = max((r for r in listed if r < release_id), default=None)
            built = dt.datetime.fromtimestamp((releases_dir(outputs) / release_id).stat().st_mtime, dt.timezone.utc)
            _add_to_index(outputs, release_id, previous, built)
            repaired.append(f"indexed {release_id}")
        else:
            shutil.rmtree(releases_dir(outputs) / release_id)
            repaired.append(f"removed unpublished {release_id}")
    return repaired


def switch_latest(outputs: Path, release_id: str) -> None:
    temporary = outputs / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(Path("releases") / release_id, temporary)
    os.replace(temporary, outputs / "latest")


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
