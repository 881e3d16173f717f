from __future__ import annotations

import hashlib
import os
from pathlib import Path


_SEEN: dict[tuple, str] = {}


def sha256_file(path: Path) -> str:
    """The file's sha256, read once per process: a build checks every file's hash, lists it on the
    release page and in SHA256SUMS. The memo is keyed by the file's identity and times, which any
    write changes."""
    info = os.stat(path)
    identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if identity not in _SEEN:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        _SEEN[identity] = digest.hexdigest()
    return _SEEN[identity]


def _same_file(a: Path, b: Path) -> bool:
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def write_sha256sums(directory: Path, name: str = "SHA256SUMS", known: dict[str, str] | None = None,
                     source: Path | None = None) -> Path:
    """``sha256sum -c SHA256SUMS`` checks every file of the release. ``known``: the sha256 of files
    hard-linked from the release ``source``, as its SHA256SUMS lists them. A listed sha256 is taken
    only for a file that is the very same inode as ``source``'s (the same bytes, read-only); any
    other file is hashed, whatever a manifest claims was linked."""
    known = known or {}
    lines = []
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name != name:
            relative = path.relative_to(directory).as_posix()
            copied = known.get(relative) if source is not None and _same_file(path, source / relative) else None
            lines.append(f"{copied or sha256_file(path)}  {relative}")
    target = directory / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def read_sha256sums(directory: Path, name: str = "SHA256SUMS") -> dict[str, str]:
    """Path -> sha256 as a release's SHA256SUMS lists them; empty when it cannot be read."""
    try:
        text = (directory / name).read_text(encoding="utf-8")
    except OSError:
        return {}
    listed = {}
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        if len(digest) == 64 and path:
            listed[path] = digest
    return listed
