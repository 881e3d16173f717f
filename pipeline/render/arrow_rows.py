"""Arrow tables read without making whole tables into row dicts: rows of a slice, counts per notice."""
from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.schema import table_specs


def as_arrow(tables: dict[str, pa.Table | list[dict]]) -> dict[str, pa.Table]:
    """Arrow tables as they are; a list of row dicts (a test, a small caller) made into its table."""
    specs = table_specs()
    return {name: value if isinstance(value, pa.Table) else specs[name].to_arrow(value)
            for name, value in tables.items()}


def row_dicts(table: pa.Table) -> list[dict]:
    """table.to_pylist(), built from columns (about twice as fast for narrow slices)."""
    columns = table.to_pydict()
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*columns.values())]


def doc_counts(table: pa.Table | None) -> dict[str, int]:
    """Rows per doc_id."""
    if table is None or table.num_rows == 0:
        return {}
    counts = pc.value_counts(table["doc_id"])
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))


def kind_counts(findings: pa.Table | None) -> Counter:
    """(kind, severity) -> findings."""
    if findings is None or findings.num_rows == 0:
        return Counter()
    grouped = findings.group_by(["kind", "severity"]).aggregate([([], "count_all")])
    return Counter(dict(zip(zip(grouped["kind"].to_pylist(), grouped["severity"].to_pylist()),
                            grouped["count_all"].to_pylist())))
