"""The key under which a notice page may be reused from a previous release.

A notice page is a pure function of its notice's rows, the registry's unit names, base_url and
the code that renders it, so a page whose key is unchanged has the same bytes."""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent.parent
# The page's code: the site and the renderers, and the schemas whose titles and role list it shows.
CODE_GLOBS = ("pipeline/site/*.py", "pipeline/site/assets/*", "pipeline/render/*.py", "schemas/*.json")


@cache
def site_code_version() -> str:
    digest = hashlib.sha256()
    for pattern in CODE_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def unit_names_digest(units: pa.Table | None) -> str:
    """The registry names a notice page shows for resolved units (rows sorted, so order is no matter)."""
    pairs = []
    if units is not None and units.num_rows:
        pairs = sorted(zip(units["unit_id"].to_pylist(), units["name"].to_pylist()), key=lambda p: (p[0] or "", p[1] or ""))
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()


def page_key(doc_key: str, base_url: str, units_digest: str) -> str:
    digest = hashlib.sha256()
    for part in (doc_key, site_code_version(), base_url, units_digest):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()
