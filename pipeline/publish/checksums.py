from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
