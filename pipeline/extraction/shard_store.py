"""A shard's rows, kept for incremental builds in OUTPUTS/.cache/shards/, never in a release.

A release offers each table as one whole file per format. What lets a build redo only the notices
that changed is here instead: one Arrow file per shard content key (the keys of its notices and
the writers' code version), holding every per-notice table of that shard. A build whose shard key
is unchanged reads it back; the release step concatenates the shards' tables and writes the whole
files. The file is bound to its key and checksummed like a parse-cache entry, so a file that is
damaged or was written for another key is read as missing and written again.

The store is needed, not only a saving: when its folder cannot be written (a file in the way of
.cache, a read-only disk) the rows go to a folder of the system's temporary directory named for
the outputs folder, which every step of the run finds again; the build then only costs time, as
with an unusable parse cache (which already warned)."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pyarrow as pa

from pipeline.errors import PlanDataError
from pipeline.extraction.parse_cache import _pack, _unpack

SHARD_DIR = Path(".cache") / "shards"


def fallback_directory(directory: Path) -> Path:
    digest = hashlib.sha256(str(directory.absolute()).encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"plandata-shards-{digest}"


class ShardStore:
    def __init__(self, directory: Path):
        self.directory = directory
        self.fallback = fallback_directory(directory)

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.arrow"

    def get(self, key: str) -> dict[str, pa.Table] | None:
        for path in (self.path(key), self.fallback / f"{key}.arrow"):
            try:
                blob = path.read_bytes()
            except OSError:
                continue
            found = _unpack(blob, key.encode("utf-8"))
            if found is not None:
                return found
        return None

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, tables: dict[str, pa.Table]) -> None:
        """Unlike the parse cache this one is needed: the release is assembled from it."""
        try:
            self._put(self.path(key), key, tables)
        except OSError:
            try:
                self._put(self.fallback / f"{key}.arrow", key, tables)
            except OSError as error:
                raise PlanDataError(f"cannot keep the shard's rows for the build ({error.strerror or 'unwritable'})",
                                    file=str(self.path(key))) from None

    @staticmethod
    def _put(path: Path, key: str, tables: dict[str, pa.Table]) -> None:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_pack(tables, key.encode("utf-8")))
            os.replace(temporary, path)
        except OSError:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
            raise

    def load(self, keys: list[str]) -> list[dict[str, pa.Table]]:
        """The tables of each key, in order; a key whose file is gone is an error naming it."""
        found = []
        for key in keys:
            tables = self.get(key)
            if tables is None:
                raise PlanDataError("the shard's rows kept for this build are missing or damaged; build again",
                                    file=str(self.path(key)))
            found.append(tables)
        return found
