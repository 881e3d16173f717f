"""Parse results cached by content, so that a rebuild re-parses only the notices that changed.

The key is the sha256 of everything a notice's rows depend on: its bytes, its path and doc_id,
its sidecar, the registry files' sha256 and the parser's code version. An entry is one Arrow
IPC file holding the notice's tables, followed by the sha256 of those bytes: an entry that is
torn, truncated or edited fails the check and is a miss (parsed again and rewritten), never
wrong rows. An entry also carries what it was written for: its own key, the doc_id and the
sha256 of the notice's bytes. An entry found under another key (two entries swapped, or an old
entry copied under an edited notice's key) is a miss too, and is removed. Entries are written to
a temporary name and renamed, so readers never see half a file. The cache lives in
OUTPUTS/.cache/parse/; deleting it costs one full parse, nothing else. A cache folder that cannot
be read or written (a file in its place, a read-only disk) also only costs time: the first
problem is reported in one warning, and the build goes on parsing.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Callable

import pyarrow as pa

from pipeline.orchestration.code_version import code_version
from pipeline.extraction.extract import NOTICE_TABLES, Notice
from pipeline.schema import table_specs

CACHE_DIR = Path(".cache") / "parse"
_DIGEST = 32
_BINDING = b"plandata.entry"  # the schema metadata key that binds an entry to its key


def notice_key(notice: Notice, registry_sha256: str) -> str:
    source = notice.source
    parts = [source.sha256, source.name, notice.doc_id, source.meta, registry_sha256, code_version("parser")]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _binding(key: str, doc_id: str, source_sha256: str) -> bytes:
    return json.dumps({"key": key, "doc_id": doc_id, "source_sha256": source_sha256}, sort_keys=True).encode("utf-8")


def _pack(tables: dict[str, pa.Table], binding: bytes = b"") -> bytes:
    columns = {}
    for name in NOTICE_TABLES:
        table = tables[name].combine_chunks()
        rows = pa.StructArray.from_arrays(
            [column.chunk(0) if column.num_chunks else pa.array([], column.type) for column in table.columns],
            fields=list(table.schema))
        columns[name] = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    sink = pa.BufferOutputStream()
    batch = pa.record_batch(list(columns.values()), names=list(columns)).replace_schema_metadata({_BINDING: binding})
    with pa.ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)
    data = sink.getvalue().to_pybytes()
    return data + hashlib.sha256(data).digest()


def _unpack(blob: bytes, binding: bytes = b"") -> dict[str, pa.Table] | None:
    """The tables of an entry that is whole and was written for ``binding``; None otherwise."""
    data, digest = blob[:-_DIGEST], blob[-_DIGEST:]
    if len(blob) <= _DIGEST or hashlib.sha256(data).digest() != digest:
        return None
    try:
        batch = pa.ipc.open_file(pa.BufferReader(data)).get_batch(0)
        if (batch.schema.metadata or {}).get(_BINDING) != binding:
            return None  # a whole entry, but written for another key, notice or text
        specs = table_specs()
        return {name: pa.Table.from_arrays(batch.column(name)[0].values.flatten(),
                                           schema=specs[name].arrow_schema())
                for name in NOTICE_TABLES}
    except (pa.ArrowException, KeyError, ValueError, IndexError):
        return None  # written by other code (a schema changed without the key): a miss


def _warn_on_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


class ParseCache:
    """``directory`` None disables the cache (every get misses, put does nothing). ``warn`` hears
    of the first problem with the cache folder, once: after it the cache only costs time."""

    def __init__(self, directory: Path | None, warn: Callable[[str], None] = _warn_on_stderr):
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self.removed = 0  # entries found under a key they were not written for
        self.warning: str | None = None
        self._warn = warn

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.arrow"

    def _unusable(self, error: OSError) -> None:
        if self.warning is None:
            self.warning = (f"{self.directory}: the parse cache cannot be used ({error.strerror or 'unreadable'}); "
                            "notices are parsed again, which only costs time")
            self._warn(self.warning)

    def get(self, key: str, doc_id: str, source_sha256: str) -> dict[str, pa.Table] | None:
        """The tables cached for ``key``, when the entry was written for this key, doc_id and text."""
        found = None
        if self.directory is not None:
            path = self._path(key)
            try:
                blob = path.read_bytes()
            except FileNotFoundError:
                blob = None
            except OSError as error:
                blob = None
                if error.errno != errno.ENOENT:
                    self._unusable(error)
            if blob is not None:
                found = _unpack(blob, _binding(key, doc_id, source_sha256))
                if found is None:
                    self._remove(path)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _remove(self, path: Path) -> None:
        try:
            path.unlink()
            self.removed += 1
        except FileNotFoundError:
            pass
        except OSError as error:
            self._unusable(error)

    def put(self, key: str, doc_id: str, source_sha256: str, tables: dict[str, pa.Table]) -> None:
        if self.directory is None or self.warning is not None:
            return
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_pack(tables, _binding(key, doc_id, source_sha256)))
            os.replace(temporary, path)
        except OSError as error:
            self._unusable(error)  # a cache that cannot be written only costs time
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass  # the folder itself is what failed: nothing was left in it
