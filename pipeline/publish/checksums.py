from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_sha256sums(directory: Path, name: str = "SHA256SUMS") -> Path:
    """``sha256sum -c SHA256SUMS`` checks every file of the release."""
    lines = [f"{sha256_file(path)}  {path.relative_to(directory).as_posix()}"
             for path in sorted(directory.rglob("*")) if path.is_file() and path.name != name]
    target = directory / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
