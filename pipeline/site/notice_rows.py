"""A release's Arrow tables grouped by notice once, and made into row dicts one notice at a time.

Whole tables are never made into row dicts: at thousands of notices that is seconds and
gigabytes. Grouping is linear (a stable sort only when a table's notices are not contiguous)."""
from __future__ import annotations


import pyarrow as pa
import pyarrow.compute as pc

from pipeline.render.arrow_rows import row_dicts


class ByNotice:
    """Each table's rows of one notice as a zero-copy slice, in the table's own row order."""

    def __init__(self, tables: dict[str, pa.Table]):
        self._tables: dict[str, pa.Table] = {}
        self._spans: dict[str, dict[str, tuple[int, int]]] = {}
        for name, table in tables.items():
            if "doc_id" not in table.column_names or name == "documents":
                continue
            spans = _spans(table["doc_id"])
            if spans is None:
                table = table.take(pc.sort_indices(table, [("doc_id", "ascending")]))  # stable
                spans = _spans(table["doc_id"])
            self._tables[name] = table
            self._spans[name] = spans

    def names(self) -> list[str]:
        return list(self._tables)

    def slice(self, name: str, doc_id: str) -> pa.Table | None:
        table = self._tables.get(name)
        if table is None:
            return None
        start, length = self._spans[name].get(doc_id, (0, 0))
        return table.slice(start, length)

    def count(self, name: str, doc_id: str) -> int:
        return self._spans.get(name, {}).get(doc_id, (0, 0))[1]

    def rows(self, doc_id: str, names: tuple[str, ...]) -> dict[str, list[dict]]:
        return {name: row_dicts(self.slice(name, doc_id)) for name in names if name in self._tables}


def _spans(column: pa.ChunkedArray) -> dict[str, tuple[int, int]] | None:
    """doc_id -> (first row, rows) when each notice's rows are contiguous, else None."""
    if len(column) == 0:
        return {}
    encoded = pc.run_end_encode(column.combine_chunks())
    values, ends = encoded.values.to_pylist(), encoded.run_ends.to_pylist()
    if len(values) != len(set(values)):
        return None
    return {value: (start, end - start) for value, start, end in zip(values, [0, *ends[:-1]], ends)}
