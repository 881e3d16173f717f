"""Parse results cached by content, so that a rebuild re-parses only the notices that changed.

The key is the sha256 of everything a notice's rows depend on: its bytes, its path and doc_id,
its sidecar, the registry files' sha256 and the parser's code version. An entry is one Arrow
IPC file holding the notice's tables, followed by the sha256 of those bytes: an entry that is
torn, truncated or edited fails the check and is a miss (parsed again and rewritten), never
wrong rows. Entries are written to a temporary name and renamed, so readers never see half a
file. The cache lives in OUTPUTS/.cache/parse/; deleting it costs one full parse, nothing else.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyarrow as pa

from pipeline.code_version import code_version
from pipeline.extract import NOTICE_TABLES, Notice
from pipeline.schema import table_specs

CACHE_DIR = Path(".cache") / "parse"
_DIGEST = 32


def notice_key(notice: Notice, registry_sha256: str) -> str:
    source = notice.source
    parts = [source.sha256, source.name, notice.doc_id, source.meta, registry_sha256, code_version("parser")]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _pack(tables: dict[str, pa.Table]) -> bytes:
    columns = {}
    for name in NOTICE_TABLES:
        table = tables[name].combine_chunks()
        rows = pa.StructArray.from_arrays(
            [column.chunk(0) if column.num_chunks else pa.array([], column.type) for column in table.columns],
            fields=list(table.schema))
        columns[name] = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    sink = pa.BufferOutputStream()
    batch = pa.record_batch(list(columns.values()), names=list(columns))
    with pa.ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)
    data = sink.getvalue().to_pybytes()
    return data + hashlib.sha256(data).digest()


def _unpack(blob: bytes) -> dict[str, pa.Table] | None:
    data, digest = blob[:-_DIGEST], blob[-_DIGEST:]
    if len(blob) <= _DIGEST or hashlib.sha256(data).digest() != digest:
        return None
    try:
        batch = pa.ipc.open_file(pa.BufferReader(data)).get_batch(0)
        specs = table_specs()
        return {name: pa.Table.from_arrays(batch.column(name)[0].values.flatten(),
                                           schema=specs[name].arrow_schema())
                for name in NOTICE_TABLES}
    except (pa.ArrowException, KeyError, ValueError, IndexError):
        return None  # written by other code (a schema changed without the key): a miss


class ParseCache:
    """``directory`` None disables the cache (every get misses, put does nothing)."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.arrow"

    def get(self, key: str) -> dict[str, pa.Table] | None:
        found = None
        if self.directory is not None:
            try:
                found = _unpack(self._path(key).read_bytes())
            except OSError:
                found = None
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: str, tables: dict[str, pa.Table]) -> None:
        if self.directory is None:
            return
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_pack(tables))
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written only costs time
