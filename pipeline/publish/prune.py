"""plandata prune: the operator removes old releases (a build never removes one).

The N newest releases by sequence number are kept, and always the one ``latest``
names. The quarantine (releases/.quarantine/) is never touched.

Crash safety. Under the build lock (so no build runs meanwhile), each release to
remove is first renamed, atomically, to ``releases/.pruning-<id>`` and
releases/ is fsynced: from then on it is no longer a release. Then index.json
is rebuilt from the release directories that remain (``reconcile``, which also
rewrites outputs/index.html and history.sql); a removed id stays in its
``missing`` list so that its number is never reused. Only then are the trash
trees deleted. A prune killed at any step leaves each release either intact or
as a ``.pruning-*`` tree, which the next prune or build deletes under the lock
(``clean_leftovers``) before it rebuilds the index: never a half-deleted
directory that looks like a release.

Releases share unchanged files by hard links, and a file's mode belongs to its
inode: chmod on one link changes every release that holds it. So deleting
makes directories writable and only unlinks files; it never opens, truncates or
chmods a file. A file's bytes are freed when its last link goes: the bytes
reported are those of the files whose link count was 1 when unlinked.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.errors import PlanDataError
from pipeline.publish.release import (INDEX_NAME, TRASH_PREFIX, _load_index, build_lock, check_outputs, fsync_dir,
                                      latest_release, latest_target, list_releases, reason, reconcile,
                                      recorded_releases, release_problem, releases_dir, sequence)


@dataclass(frozen=True)
class Removal:
    release_id: str
    freed: int  # bytes


@dataclass
class Pruned:
    removed: list[Removal] = field(default_factory=list)  # oldest first
    kept: list[str] = field(default_factory=list)
    latest: str | None = None
    repairs: list[str] = field(default_factory=list)
    dry_run: bool = False
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # dry run: (release dir, why)


def keep_count(text: str) -> int:
    """--keep: a whole number, 1 or more (0 would remove every release, latest's too)."""
    try:
        value = int(text.strip())
    except (ValueError, AttributeError):
        raise PlanDataError(f"--keep must be a whole number of releases, 1 or more, not {text!r}") from None
    if value < 1:
        raise PlanDataError(f"--keep must be 1 or more (the release latest names is always kept), not {value}")
    return value


def choose(releases: list[str], keep: int, latest: str | None) -> list[str]:
    """The releases to remove, oldest first: all but the ``keep`` newest and ``latest``."""
    ordered = sorted(releases, key=sequence)
    kept = set(ordered[-keep:]) | {latest}
    return [release_id for release_id in ordered if release_id not in kept]


def freed_bytes(trees: list[Path]) -> list[int]:
    """What deleting each tree frees, deleted in this order: a file counts for the tree that holds its
    last link, when no link outside ``trees`` remains."""
    links: dict[tuple[int, int], list] = {}  # inode -> [links seen, link count, size, last tree]
    for position, tree in enumerate(trees):
        for root, _dirs, files in os.walk(tree):
            for name in files:
                info = os.lstat(os.path.join(root, name))
                if stat.S_ISREG(info.st_mode):
                    seen = links.setdefault((info.st_dev, info.st_ino), [0, info.st_nlink, info.st_size, 0])
                    seen[0], seen[3] = seen[0] + 1, position
    freed = [0] * len(trees)
    for count, nlink, size, position in links.values():
        if count == nlink:
            freed[position] += size
    return freed


def prune(outputs: Path, keep: int, *, dry_run: bool = False, wait_seconds: float = 0.0,
          echo: Callable[[Removal], None] = lambda removal: None, pages=None) -> Pruned:
    """Remove all but the ``keep`` newest releases (and latest's); ``echo`` hears of each as it goes;
    ``pages`` renders the outputs pages from the index once it is rewritten (see build_lock)."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise PlanDataError(f"--keep must be a whole number of releases, 1 or more, not {keep!r}")
    check_outputs(outputs)
    if not outputs.is_dir():
        raise PlanDataError("no such outputs directory; nothing to prune", file=str(outputs))
    if dry_run:
        return _dry_run(outputs, keep)
    with build_lock(outputs, wait_seconds, pages=pages) as repairs:
        latest = latest_release(outputs)
        present = list_releases(outputs)
        doomed = choose(present, keep, latest)
        result = Pruned(kept=[r for r in present if r not in doomed], latest=latest, repairs=list(repairs))
        moved, failure = [], None
        for release_id in doomed:
            try:
                moved.append(_move_aside(outputs, release_id))
            except OSError as error:
                failure = PlanDataError(f"cannot move {release_id} aside ({reason(error)}); it and the releases "
                                        "after it were not removed", file=str(releases_dir(outputs) / release_id))
                break
        if not moved:
            if failure:
                raise failure
            return result
        try:
            fsync_dir(releases_dir(outputs))
            result.repairs += _rewrite_index(outputs)
        except Exception as error:
            raise PlanDataError(f"moved {_names(moved)} aside, but rebuilding the index failed: {reason(error)}; "
                                "the next prune or build deletes them and rebuilds the index",
                                file=str(releases_dir(outputs))) from None
        for trash in moved:
            try:
                freed = _delete_tree(trash)
            except Exception as error:
                raise PlanDataError(f"deleting {trash.name} failed part-way ({reason(error)}); it is no longer a "
                                    "release and the next prune or build deletes what is left",
                                    file=str(trash)) from None
            removal = Removal(trash.name[len(TRASH_PREFIX):], freed)
            result.removed.append(removal)
            echo(removal)
        fsync_dir(releases_dir(outputs))
        if failure:
            raise failure
        return result


def _dry_run(outputs: Path, keep: int) -> Pruned:
    """What prune would do, read without the lock and without repairing anything.

    As the real run's reconcile does: a release recorded as published (published.log, index.json)
    stays, above latest too (latest was rolled back); a directory never published goes to the
    quarantine before anything is chosen, and is listed as such."""
    latest = latest_target(outputs)
    index, _ = _load_index(releases_dir(outputs) / INDEX_NAME)
    recorded = recorded_releases(outputs, index)
    present, quarantined = [], []
    for release_id in list_releases(outputs):
        if release_id in recorded:
            present.append(release_id)
            continue
        why = release_problem(releases_dir(outputs) / release_id)
        if why is None and latest and sequence(release_id) > sequence(latest):
            why = "renamed into releases/ but never made latest"
        if why:
            quarantined.append((release_id, why))
        else:
            present.append(release_id)
    latest = latest if latest in present else None
    doomed = choose(present, keep, latest)
    freed = freed_bytes([releases_dir(outputs) / release_id for release_id in doomed])
    return Pruned(removed=[Removal(r, size) for r, size in zip(doomed, freed)],
                  kept=[r for r in present if r not in doomed], latest=latest, dry_run=True,
                  quarantined=quarantined)


def _names(paths: list[Path]) -> str:
    return ", ".join(path.name[len(TRASH_PREFIX):] for path in paths)


def _move_aside(outputs: Path, release_id: str) -> Path:
    """One atomic rename within releases/: the release is whole, or it is trash."""
    trash = releases_dir(outputs) / (TRASH_PREFIX + release_id)
    os.rename(releases_dir(outputs) / release_id, trash)
    return trash


def _rewrite_index(outputs: Path) -> list[str]:
    """index.json from the release directories that remain (the caller's ``pages`` follow it)."""
    return reconcile(outputs)


def _delete_tree(top: Path) -> int:
    """Delete a trash tree; the bytes freed. Directories are made writable, files only unlinked."""
    freed = 0
    os.chmod(top, 0o700)
    for root, dirs, files in os.walk(top):
        for name in list(dirs):
            path = os.path.join(root, name)
            if os.path.islink(path):  # not entered, removed as a link
                dirs.remove(name)
                files.append(name)
            else:
                os.chmod(path, 0o700)
        for name in files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            _remove_file(path)
            if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
                freed += info.st_size
    for root, dirs, _files in os.walk(top, topdown=False):
        for name in dirs:
            os.rmdir(os.path.join(root, name))
    os.rmdir(top)
    return freed


def _remove_file(path: str) -> None:
    os.unlink(path)
