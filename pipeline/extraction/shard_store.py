"""A shard's rows, kept for incremental builds in OUTPUTS/.cache/shards/, never in a release.

A release offers each table as one whole file per format. What lets a build redo only the notices
that changed is here instead: one Arrow file per shard content key (the keys of its notices and
the writers' code version), holding every per-notice table of that shard. A build whose shard key
is unchanged reads it back; the release step concatenates the shards' tables and writes the whole
files. The file is bound to its key and checksummed like a parse-cache entry, so a file that is
damaged or was written for another key is read as missing and written again."""
from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

from pipeline.errors import PlanDataError
from pipeline.extraction.parse_cache import _pack, _unpack

SHARD_DIR = Path(".cache") / "shards"


class ShardStore:
    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.arrow"

    def get(self, key: str) -> dict[str, pa.Table] | None:
        try:
            blob = self.path(key).read_bytes()
        except OSError:
            return None
        return _unpack(blob, key.encode("utf-8"))

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, tables: dict[str, pa.Table]) -> None:
        """Unlike the parse cache this one is needed: the release is assembled from it."""
        path = self.path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_pack(tables, key.encode("utf-8")))
            os.replace(temporary, path)
        except OSError as error:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
            raise PlanDataError(f"cannot keep the shard's rows for the build ({error.strerror or 'unwritable'})",
                                file=str(path)) from None

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
