"""Versions of the code that makes each kind of output, from the bytes of its source files.

A cached parse, a reused shard file or a reused page is valid only for the code that made it;
the same versions are the Dagster assets' ``code_version``, so the UI's staleness is true."""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_SUFFIXES = (".py", ".csv", ".json", ".sql", ".css", ".js")

# What each output depends on, relative to the project root (folders are read recursively).
PARTS = {
    "parser": ("pipeline/core", "pipeline/extraction/extract.py", "pipeline/sources/sidecar.py", "pipeline/schema.py",
               "pipeline/extraction/provenance.py", "schemas"),
    "files": ("pipeline/publish/files.py", "pipeline/publish/datapackage.py", "pipeline/publish/texts.py",
              "pipeline/extraction/shard.py", "pipeline/extraction/shard_store.py", "pipeline/publish/assemble.py",
              "pipeline/publish/downloads.py",
              "pipeline/checks", "pipeline/schema.py", "schemas"),
    "database": ("pipeline/publish/store.py", "pipeline/publish/assemble.py", "pipeline/schema.py", "schemas"),
    "site": ("pipeline/site", "pipeline/render", "pipeline/changes", "pipeline/orchestration/finalize.py"),
}


def _files(part: str) -> list[Path]:
    found = []
    for relative in PARTS[part]:
        path = ROOT / relative
        if not path.exists():
            # A moved file skipped silently would leave the parse cache and reused pages stale.
            raise FileNotFoundError(f"code_version PARTS[{part!r}] names {relative}, which does not exist")
        found += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES)
    return sorted(set(found))


@cache
def code_version(part: str) -> str:
    digest = hashlib.sha256()
    for path in _files(part):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
