"""Immutable releases under OUTPUTS/releases/, an index, and an atomic switch of OUTPUTS/latest.

Publishing. A build writes into OUTPUTS/.staging-<run> and validates there. The
last step writes SHA256SUMS, makes every file (0444) and directory (0555)
read-only, fsyncs each of them, renames the directory to releases/<seq>-<hash>
and fsyncs releases/, then replaces the ``latest`` symlink with os.replace and
fsyncs OUTPUTS. Each step is one atomic rename: a build killed at any moment
leaves ``latest`` and every earlier release intact. The switch of ``latest`` is
the moment of publication; releases/index.json is written after it (tmp file
fsynced, then renamed).

The release directories are the authority; index.json is derived from them.
Under the lock, before any work, every build (``build_lock``):

- refuses, leaving everything as it is, when OUTPUTS is not a directory or
  OUTPUTS/latest is anything but a symlink ``releases/<seq>-<hash>`` (a
  directory, a file, a link elsewhere): someone put it there, and a build must
  not guess what it holds;
- removes what killed builds leave outside releases/: OUTPUTS/.staging-*,
  temporary ``.latest-*`` links and ``releases/.index.json.*.tmp`` files, and
  the ``releases/.pruning-*`` trees of an interrupted ``plandata prune``
  (pipeline/publish/prune.py);
- never moves a release recorded as published (a line of releases/published.log,
  or an entry of index.json), damaged or not, above ``latest`` or not (``latest``
  rolled back): it checks its files against SHA256SUMS by stat fingerprint
  (pipeline/publish/damage.py, hashing only what changed) and records what no
  longer matches in the release's ``damaged`` list of the index;
- moves to releases/.quarantine/ every other directory of releases/ that is not a
  complete release: a name that is not <seq>-<hash>, no readable
  datapackage.json or a version that is not the name's hash, no SHA256SUMS, a
  file missing from it, unlisted in it or not matching it. A suffix ``~2``,
  ``~3``... keeps a name in the quarantine from overwriting anything. A build
  never deletes anything in releases/.
- Unrecorded releases that are complete but were never made ``latest``: a build
  renamed the release into place and died before the switch, so its sequence
  number is above the one ``latest`` names. Such a release is QUARANTINED too,
  not indexed, and the next build publishes the same content under a new number.
  A complete unrecorded release at or below ``latest`` (killed between the
  switch and the log line) is recorded.
- a ``latest`` switched by hand to a published release is recorded as a rollback.
- rebuilds index.json from the directories that remain, in numeric order. An
  unreadable index is moved to the quarantine first. built_at and previous come
  from the old entry when it describes the same content (same version), else
  from the mtime of the release's SHA256SUMS and the release below it.
  Releases that the index listed but whose directories are gone are kept in
  ``missing``, so that their numbers are never reused. index.json is only
  rewritten when its content changes.

The switch of ``latest`` is followed by a ``published`` line in published.log
(fsynced), then the fingerprints and the index entry. A ``latest`` whose release
holds a damaged file is not "unchanged": the build publishes a repaired release
under the next number even when its content hash is the same.

``latest`` naming a release that no longer exists (deleted by hand, or
quarantined as incomplete) is repaired: the build publishes a new release with
the next sequence number, its change log computed against the newest release
still present. Sequence numbers are never reused: the next one is one past the
highest found in releases/, the quarantine, the target of ``latest`` and the
index (releases and missing), compared as integers (10000 follows 9999).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import math
import os
import shutil
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PlanDataError
from pipeline.publish import published_log
from pipeline.publish.checksums import sha256_file
from pipeline.publish.damage import check_releases, damage_lines, record_release
# Some of these are imported from here by prune, rollback and the tests: the index module holds them.
from pipeline.publish.release_index import (INDEX_NAME, NUMBERED, QUARANTINE, RELEASE_ID, fsync_dir, fsync_file,  # noqa: F401
                                            latest_target, load_index, new_release_id, next_sequence, read_index,
                                            reason, releases_dir, sequence, write_if_changed, write_index)
from pipeline.publish.release_index import number as _number
from pipeline.publish.staging import STAGING_PREFIX, remove_if_abandoned

# Older names, kept for the modules and tests that import them from here.
_load_index, _write_index = load_index, write_index
TRASH_PREFIX = ".pruning-"  # a release plandata prune has moved aside; never a release again
LOCK_NAME = ".lock"
CHECKSUMS = "SHA256SUMS"
ENTRY_KEYS = ("release_id", "built_at", "previous", "version", "sources", "rows", "changes")


# -- the lock and what it checks and repairs --------------------------------------------------

def check_outputs(outputs: Path) -> None:
    """Refuse an OUTPUTS or OUTPUTS/latest that builds did not make, before anything is written."""
    if (outputs.exists() or outputs.is_symlink()) and not outputs.is_dir():
        raise PlanDataError("the outputs path is not a directory", file=str(outputs))
    link = outputs / "latest"
    if link.is_symlink():
        target = os.readlink(link)
        parts = Path(target).parts
        if len(parts) != 2 or parts[0] != "releases" or not RELEASE_ID.match(parts[1]):
            raise PlanDataError(f"points at {target}, which is not a release in releases/; "
                                "remove it, or point it at a published release with plandata rollback <release>", file=str(link))
    elif link.exists():
        kind = "a directory" if link.is_dir() else "a file"
        raise PlanDataError(f"is {kind}, not the symlink to the latest release that builds maintain; "
                            "move it out of the outputs directory and build again (nothing was written)",
                            file=str(link))


def _check_wait(wait_seconds: float) -> None:
    if not (isinstance(wait_seconds, (int, float)) and math.isfinite(wait_seconds) and wait_seconds >= 0):
        raise PlanDataError(f"the lock wait must be a finite number of seconds, 0 or more, not {wait_seconds}")


@contextmanager
def build_lock(outputs: Path, wait_seconds: float = 0.0, keep=None, pages=None):
    """One build at a time per OUTPUTS directory; a second one waits, then fails clearly.

    Yields the list of repairs made under the lock (one line each). ``keep(path)`` says whether a
    staging directory belongs to a run that is still going (under the multiprocess executor a run
    holds the lock only to publish, so another run's staging may be live): it is not a leftover.
    ``pages(outputs)`` (the site's write_outputs_index) runs last, still under the lock, once the
    index is written: publishing writes the index only, and the caller brings the pages that derive
    from it. A failure of the pages never hides the failure of the work before them."""
    _check_wait(wait_seconds)
    check_outputs(outputs)
    try:
        outputs.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PlanDataError(f"cannot create the outputs directory: {reason(error)}", file=str(outputs)) from None
    path = outputs / LOCK_NAME
    try:
        handle = path.open("a+")
    except OSError as error:  # a directory in its place, a read-only or unreadable outputs folder
        raise PlanDataError(f"cannot open the build lock ({error.strerror or 'unreadable'}); "
                            "nothing was changed", file=str(path)) from None
    with handle:
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
            check_outputs(outputs)  # again, now that no other build can change it
            try:
                clean_leftovers(outputs, keep)
                repairs = reconcile(outputs)
            except OSError as error:
                raise PlanDataError(f"cannot tidy the outputs directory before starting ({reason(error)}); "
                                    "no release was changed", file=str(outputs)) from None
            try:
                yield repairs
            except BaseException:
                if pages is not None:
                    try:
                        pages(outputs)
                    except Exception:
                        pass
                raise
            if pages is not None:
                pages(outputs)
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_tree(path: Path) -> None:
    """Remove a file, link or directory tree of a failed build, read-only parts included."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return

    def writable_and_retry(function, name, _info):
        os.chmod(os.path.dirname(name), 0o700)
        if os.path.isdir(name) and not os.path.islink(name):
            os.chmod(name, 0o700)
        function(name)

    shutil.rmtree(path, onerror=writable_and_retry)


def clean_leftovers(outputs: Path, keep=None) -> list[Path]:
    """What killed builds leave outside the releases. Only ever called under the lock.

    A staging folder is a leftover only when no live process of its run holds its lock
    (pipeline/publish/staging.py), whichever Dagster instance started that run, and ``keep`` (this
    run's own, or a run its instance knows as going) does not claim it."""
    removed = [path for path in sorted(outputs.glob(STAGING_PREFIX + "*"))
               if (keep is None or not keep(path)) and remove_if_abandoned(path, remove_tree)]
    others = [*outputs.glob(".latest-*"), *releases_dir(outputs).glob(f".{INDEX_NAME}.*.tmp"),
              *releases_dir(outputs).glob(TRASH_PREFIX + "*")]
    for path in others:
        remove_tree(path)
    return removed + others


def list_releases(outputs: Path) -> list[str]:
    """Release directories in releases/, in numeric order of their sequence."""
    directory = releases_dir(outputs)
    if not directory.is_dir():
        return []
    return sorted((p.name for p in directory.iterdir()
                   if RELEASE_ID.match(p.name) and p.is_dir() and not p.is_symlink()), key=sequence)


def latest_release(outputs: Path) -> str | None:
    """The release ``latest`` points at, if it is there."""
    target = latest_target(outputs)
    return target if target and (releases_dir(outputs) / target).is_dir() else None


def change_base(outputs: Path) -> str | None:
    """What a new release is compared with: latest, or when it is gone the newest release still present."""
    present = list_releases(outputs)
    return latest_release(outputs) or (present[-1] if present else None)


def release_problem(release: Path, trusted_version: str | None = None) -> str | None:
    """Why a directory of releases/ is not a complete, checksummed release, or None.

    With ``trusted_version`` (the index already lists it with that version) the
    files are matched with SHA256SUMS by name only."""
    match = RELEASE_ID.match(release.name)
    if not match:
        return "not named <sequence>-<hash>"
    if release.is_symlink() or not release.is_dir():
        return "not a directory"
    try:
        version = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"]
        listed = {}
        for line in (release / CHECKSUMS).read_text(encoding="utf-8").splitlines():
            digest, name = line.split("  ", 1)
            listed[name] = digest
    except FileNotFoundError as error:
        return f"no {Path(error.filename).name}"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"unreadable datapackage.json or {CHECKSUMS} ({reason(error)})"
    if not (isinstance(version, str) and version.startswith(match["hash"])):
        return f"its datapackage.json version {version} is not the hash in its name"
    present = {p.relative_to(release).as_posix() for p in release.rglob("*")
               if not p.is_dir() and p.name != CHECKSUMS}
    if present != set(listed):
        missing, unlisted = sorted(set(listed) - present), sorted(present - set(listed))
        return f"{CHECKSUMS} does not match the files (missing: {missing[:3]}, unlisted: {unlisted[:3]})"
    if trusted_version != version:
        for name, digest in sorted(listed.items()):
            if (release / name).is_symlink() or sha256_file(release / name) != digest:
                return f"{name} does not match {CHECKSUMS}"
    return None


def quarantine(outputs: Path, path: Path) -> Path:
    """Move ``path`` into releases/.quarantine/ under a name that overwrites nothing."""
    box = releases_dir(outputs) / QUARANTINE
    box.mkdir(exist_ok=True)
    target, number = box / path.name, 2
    while target.exists() or target.is_symlink():
        target, number = box / f"{path.name}~{number}", number + 1
    if path.is_dir() and not path.is_symlink():
        os.chmod(path, stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)  # renaming a directory updates its ..
    os.rename(path, target)
    fsync_dir(box)
    fsync_dir(releases_dir(outputs))
    return target


class Repairs(list):
    """The repairs made under the lock, one line each; ``damage``: one line per file of a published
    release that no longer matches its SHA256SUMS (the release itself is left as it is)."""

    def __init__(self, lines=(), damage=()):
        super().__init__(lines)
        self.damage = list(damage)


def recorded_releases(outputs: Path, old_index: dict | None = None) -> set[str]:
    """Every release recorded as published: in published.log, or listed by index.json."""
    entries = (old_index or {}).get("releases", [])
    return {name for name in published_log.published(outputs) | {e["release_id"] for e in entries}
            if RELEASE_ID.match(name)}


def last_recorded_latest(outputs: Path) -> str | None:
    """The release the log says latest was last switched to (by a build or a rollback)."""
    switched = [e["release_id"] for e in published_log.events(outputs) if e.get("event") in ("published", "rollback")]
    return switched[-1] if switched else None


def reconcile(outputs: Path) -> Repairs:
    """Quarantine what was never published, check what was, and rebuild index.json.

    Returns one line per repair, and the damage found. Only ever called under the lock."""
    directory = releases_dir(outputs)
    if not directory.is_dir():
        if directory.exists() or directory.is_symlink():
            raise PlanDataError("is not a directory", file=str(directory))
        return Repairs()
    repairs = []
    index_path = directory / INDEX_NAME
    old, problem = _load_index(index_path)
    if old is None:
        moved = quarantine(outputs, index_path)
        repairs.append(f"{index_path} could not be read ({problem}); moved to {moved}, rebuilt from the releases "
                       f"and {published_log.LOG_NAME}")
        old = {"releases": []}
    old_entries = {entry["release_id"]: entry for entry in old["releases"]}
    logged = published_log.published(outputs)
    recorded = recorded_releases(outputs, old)
    latest = latest_target(outputs)
    if latest is None and isinstance(old.get("latest"), str) and RELEASE_ID.match(old["latest"]):
        latest = old["latest"]
    kept = []
    candidates = [p for p in directory.iterdir()
                  if not p.name.startswith(".") and p.name != INDEX_NAME and p.name != published_log.LOG_NAME
                  and (RELEASE_ID.match(p.name) or (p.is_dir() and not p.is_symlink()))]
    for path in sorted(candidates, key=lambda p: (NUMBERED.match(p.name) is None, _number(p.name), p.name)):
        if path.name in recorded and path.is_dir() and not path.is_symlink():
            kept.append(path.name)  # published: never moved, only checked for damage below
            continue
        problem = release_problem(path)
        if problem is None and latest and sequence(path.name) > sequence(latest):
            problem = "renamed into releases/ but never made latest"
        if problem:
            moved = quarantine(outputs, path)
            repairs.append(f"moved {path} to {moved}: {problem}")
        else:
            kept.append(path.name)
    for release_id in kept:
        if release_id not in logged:  # published before the log existed, or killed before its line
            try:
                published_log.append(outputs, "published", release_id, by="reconcile")
            except OSError as error:  # the index still lists it; the next build tries again
                repairs.append(f"could not record {release_id} in {published_log.LOG_NAME}: {reason(error)}")
                break
    if latest and latest not in kept:
        repairs.append(f"latest names {latest}, which is not in releases/; this build publishes a new release")
    last = last_recorded_latest(outputs)
    if latest in kept and last and last != latest:
        try:
            published_log.append(outputs, "rollback", latest, **{"from": last, "by": "hand"})
        except OSError as error:
            repairs.append(f"could not record in {published_log.LOG_NAME} that latest now names {latest}: "
                           f"{reason(error)}")
        repairs.append(f"latest was switched by hand from {last} to {latest}; recorded as a rollback "
                       "(plandata rollback does this under the lock)")

    damage = check_releases(outputs, kept)
    entries, below = [], None
    for release_id in kept:
        old_entry = old_entries.get(release_id, {})
        try:
            fresh = index_entry(directory / release_id, old_entry)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            fresh = {key: old_entry.get(key, default) for key, default in
                     (("version", None), ("sources", {}), ("rows", {}), ("changes", {}))}
        if old_entry.get("version") == fresh["version"] and isinstance(old_entry.get("built_at"), str):
            built_at, previous = old_entry["built_at"], old_entry.get("previous", below)
        else:
            try:
                mtime = (directory / release_id / CHECKSUMS).stat().st_mtime
            except OSError:
                mtime = (directory / release_id).lstat().st_mtime
            built_at = dt.datetime.fromtimestamp(mtime, dt.timezone.utc).isoformat(timespec="seconds")
            previous = below
            if release_id not in old_entries:
                repairs.append(f"indexed {release_id}, which index.json did not list")
        entry = {"release_id": release_id, "built_at": built_at, "previous": previous, **fresh}
        if release_id in damage:
            entry["damaged"] = [name for name, _problem in damage[release_id]]
        entries.append(entry)
        below = release_id
    gone = {name for name in old.get("missing", []) if isinstance(name, str) and RELEASE_ID.match(name)}
    gone |= {name for name in old_entries.keys() | logged if RELEASE_ID.match(name) and name not in kept}
    index = {"releases": entries, "latest": latest if latest in kept else None}
    if gone:
        index["missing"] = sorted(gone, key=sequence)
    _write_index(outputs, index)
    lines = [line for release_id in kept if release_id in damage
             for line in damage_lines(directory / release_id, damage[release_id])]
    return Repairs(repairs, lines)


def damaged_files(outputs: Path, release_id: str | None) -> list[str]:
    """What the index records as damaged in a release (empty when none, or no index)."""
    index, _ = _load_index(releases_dir(outputs) / INDEX_NAME)
    for entry in (index or {}).get("releases", []):
        if entry["release_id"] == release_id:
            return list(entry.get("damaged") or [])
    return []


# -- publishing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    release_id: str
    path: Path
    new: bool  # False when the content equals the latest release's


def publish_staging(outputs: Path, staging: Path, content_version: str,
                    now: dt.datetime | None = None) -> Published:
    """Seal a validated staging directory, move it into releases/ and point ``latest`` at it.

    The switch of ``latest`` is the moment of publication; the index entry is
    written after it, from the release's own files. Every failure is a
    PlanDataError that says whether the release was published."""
    current = latest_release(outputs)
    if (current and RELEASE_ID.match(current)["hash"] == content_version[:8]
            and not damaged_files(outputs, current)):
        remove_tree(staging)
        return Published(current, releases_dir(outputs) / current, new=False)
    previous = change_base(outputs)
    release_id = new_release_id(outputs, content_version)
    target = releases_dir(outputs) / release_id
    target.parent.mkdir(parents=True, exist_ok=True)
    seal(staging)
    os.rename(staging, target)
    os.chmod(target, 0o555)
    fsync_dir(target)
    fsync_dir(target.parent)
    try:
        switch_latest(outputs, release_id)
    except Exception as error:
        if latest_target(outputs) != release_id:
            try:
                where = f"it was moved to {quarantine(outputs, target)}"
            except OSError:
                where = "the next build moves it to the quarantine"
            raise PlanDataError(f"switching latest to {release_id} failed ({reason(error)}); {where}",
                                file=str(outputs / "latest")) from None
    try:
        published_log.append(outputs, "published", release_id, version=content_version)
    except Exception as error:
        raise PlanDataError(f"published {release_id} and switched latest, but writing "
                            f"{published_log.log_path(outputs)} failed: {reason(error)}; the next build "
                            "records it") from None
    record_release(outputs, target)
    try:
        _add_to_index(outputs, release_id, previous, now or dt.datetime.now(dt.timezone.utc))
    except Exception as error:
        # The message starts with what happened; it names the file itself.
        raise PlanDataError(f"published {release_id} and switched latest, but writing "
                            f"{releases_dir(outputs) / INDEX_NAME} failed: {reason(error)}; "
                            "the next build repairs the index") from None
    return Published(release_id, target, new=True)


def seal(directory: Path) -> None:
    """Make every file and directory below ``directory`` read-only and fsync it, deepest first.

    The top directory stays writable until it has been renamed: on Linux, moving
    a directory to another parent needs write permission on it."""
    for root, _dirs, files in os.walk(directory, topdown=False):
        for name in files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            if info.st_nlink > 1 and stat.S_IMODE(info.st_mode) == 0o444:
                continue  # a hard link to a published release's file: read-only and durable already
            os.chmod(path, 0o444)
            fsync_file(path)
        if root != str(directory):
            os.chmod(root, 0o555)
        fsync_dir(root)


def index_entry(release: Path, known: dict | None = None) -> dict:
    """What index.json says of a release, read from the release's own files
    (or taken from ``known``, the old entry, when it has the same version)."""
    import pyarrow.parquet as pq

    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    if known and known.get("version") == descriptor["version"] and all(key in known for key in ENTRY_KEYS):
        return {key: known[key] for key in ("version", "sources", "rows", "changes")}
    from pipeline.checks.package import files_by_table

    rows = {table: sum(pq.read_metadata(release / path).num_rows for path in paths)
            for table, paths in files_by_table(descriptor, "parquet").items()}
    changes: dict[str, int] = {}
    changes_file = release / "changes.json"
    for row in json.loads(changes_file.read_text(encoding="utf-8")) if changes_file.is_file() else []:
        key = f"{row['entity']} {row['change']}"
        changes[key] = changes.get(key, 0) + 1
    return {"version": descriptor["version"],
            "sources": {source["path"].removeprefix("sources/"): source["sha256"] for source in descriptor["sources"]},
            "rows": rows, "changes": dict(sorted(changes.items()))}


def _add_to_index(outputs: Path, release_id: str, previous: str | None, built_at: dt.datetime) -> None:
    index = read_index(outputs)
    index["releases"] = [entry for entry in index["releases"] if entry["release_id"] != release_id]
    index["releases"].append({"release_id": release_id, "built_at": built_at.isoformat(timespec="seconds"),
                              "previous": previous, **index_entry(releases_dir(outputs) / release_id)})
    index["releases"].sort(key=lambda entry: _number(entry["release_id"]))
    index["latest"] = release_id
    _write_index(outputs, index)


def switch_latest(outputs: Path, release_id: str) -> None:
    temporary = outputs / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(Path("releases") / release_id, temporary)
    try:
        os.replace(temporary, outputs / "latest")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(outputs)
