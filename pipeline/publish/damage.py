"""Which files of a published release no longer match its SHA256SUMS.

A release is read-only, but root ignores file modes and releases share unchanged files by hard
link, so one write can change a file of several releases at once. Every build (and the sensor, for
``latest``) checks the published releases; ``plandata verify`` checks them all by hashing.

The check costs a stat per file, not a read: releases/.fingerprints.json records, for every file,
(size, mtime, inode) and the sha256 it had when it was published or last hashed. A file whose
stat still matches is taken as intact; any other is hashed again. The fingerprints are a cache:
when the file is lost or unreadable, every file is hashed again and the cache rewritten. ctime is
left out on purpose: hard-linking a file into a new release changes its inode's ctime.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.publish.checksums import read_sha256sums, sha256_file

FINGERPRINTS = ".fingerprints.json"
CHECKSUMS = "SHA256SUMS"


def fingerprints_path(outputs: Path) -> Path:
    return outputs / "releases" / FINGERPRINTS


def load_fingerprints(outputs: Path) -> dict:
    try:
        loaded = json.loads(fingerprints_path(outputs).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_fingerprints(outputs: Path, fingerprints: dict) -> None:
    """Best effort: a cache that cannot be written only costs a hash at the next check."""
    from pipeline.publish.release_index import write_if_changed

    try:
        write_if_changed(fingerprints_path(outputs), json.dumps(fingerprints, sort_keys=True) + "\n")
    except OSError:
        pass


def _stat(path: Path) -> list[int]:
    info = os.lstat(path)
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def check_release(release: Path, known: dict | None = None) -> tuple[list[tuple[str, str]], dict]:
    """([(file, what is wrong)] for each damaged file, the release's fingerprints after the check).

    ``known``: the release's recorded fingerprints ({file: [size, mtime_ns, inode, sha256]}); None or
    a missing file's entry means hash it."""
    known = known if isinstance(known, dict) else {}
    listed = read_sha256sums(release)
    if not listed:
        return [(CHECKSUMS, "missing or unreadable")], {}
    damaged, fresh = [], {}
    for name, digest in sorted(listed.items()):
        path = release / name
        try:
            if path.is_symlink() or not path.is_file():
                damaged.append((name, "missing or not a regular file"))
                continue
            stat = _stat(path)
            record = known.get(name)
            if isinstance(record, list) and record[:3] == stat and record[3:] == [digest]:
                fresh[name] = record
                continue
            actual = sha256_file(path)
        except OSError as error:
            damaged.append((name, f"unreadable ({error.strerror or 'error'})"))
            continue
        if actual != digest:
            damaged.append((name, f"does not match {CHECKSUMS}"))
        else:
            fresh[name] = [*stat, digest]
    present = {p.relative_to(release).as_posix() for p in release.rglob("*")
               if not p.is_dir() and p.name != CHECKSUMS}
    damaged += [(name, f"not listed in {CHECKSUMS}") for name in sorted(present - set(listed))]
    return damaged, fresh


def damage_lines(release: Path, damaged: list[tuple[str, str]]) -> list[str]:
    return [f"{release / name}: {problem}" for name, problem in damaged]


def record_release(outputs: Path, release: Path) -> None:
    """At publish: the fingerprints of a release just sealed, from the SHA256SUMS just written."""
    fingerprints = load_fingerprints(outputs)
    listed = read_sha256sums(release)
    try:
        fingerprints[release.name] = {name: [*_stat(release / name), digest] for name, digest in listed.items()}
    except OSError:
        return
    save_fingerprints(outputs, fingerprints)


def check_releases(outputs: Path, release_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """{release id: [(file, what is wrong)]} for the releases given (only those with damage), and the
    fingerprints cache brought up to date (releases not given are dropped from it)."""
    fingerprints = load_fingerprints(outputs)
    damage, updated = {}, {}
    for release_id in release_ids:
        lines, fresh = check_release(outputs / "releases" / release_id, fingerprints.get(release_id))
        updated[release_id] = fresh
        if lines:
            damage[release_id] = lines
    save_fingerprints(outputs, updated)
    return damage


def latest_damage(outputs: Path) -> tuple[str | None, list[str]]:
    """(the release latest names, one line per damaged file of it): a stat per file, a hash for
    what changed since its fingerprint (the sensor's check between builds)."""
    from pipeline.publish.release import latest_release

    latest = latest_release(outputs)
    if latest is None:
        return None, []
    fingerprints = load_fingerprints(outputs)
    release = outputs / "releases" / latest
    damaged, fresh = check_release(release, fingerprints.get(latest))
    if fresh != fingerprints.get(latest):
        save_fingerprints(outputs, {**load_fingerprints(outputs), latest: fresh})
    return latest, damage_lines(release, damaged)


def verify(outputs: Path) -> tuple[int, int, list[str]]:
    """``plandata verify``: every file of every release in releases/ hashed and matched with its
    SHA256SUMS (fingerprints not trusted). (releases, files checked, one line per damaged file.)"""
    from pipeline.publish.release import list_releases

    lines, files = [], 0
    releases = list_releases(outputs)
    for release_id in releases:
        release = outputs / "releases" / release_id
        damaged, fresh = check_release(release, None)
        files += len(fresh) + len(damaged)
        lines += damage_lines(release, damaged)
    return len(releases), files, lines
