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


def write_sha256sums(directory: Path, name: str = "SHA256SUMS", known: dict[str, str] | None = None) -> Path:
    """``sha256sum -c SHA256SUMS`` checks every file of the release. ``known``: the sha256 of files
    hard-linked from the previous release, as its SHA256SUMS lists them (the same bytes, read-only)."""
    known = known or {}
    lines = []
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name != name:
            relative = path.relative_to(directory).as_posix()
            lines.append(f"{known.get(relative) or sha256_file(path)}  {relative}")
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
