"""A release's tables read back from its Parquet files, whatever its layout (whole or sharded)."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.checks.package import files_by_table
from pipeline.schema import table_specs


def read_tables(directory: Path, descriptor: dict | None = None, doc_ids: set[str] | None = None,
                shards: set[str] | None = None) -> dict[str, pa.Table]:
    """Every table of the release, in the current schemas' columns (a column an older release
    lacks is null); with ``doc_ids``, only those notices' rows of the per-notice tables."""
    if descriptor is None:
        descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    files = files_by_table(descriptor, "parquet", shards)
    wanted = pa.array(sorted(doc_ids), pa.string()) if doc_ids is not None else None
    tables = {}
    for name, spec in table_specs().items():
        schema = spec.arrow_schema()
        parts = []
        for path in files.get(name, []):
            part = pq.read_table(directory / path)
            if wanted is not None and "doc_id" in part.column_names:
                part = part.filter(pc.is_in(part.column("doc_id"), value_set=wanted))
            columns = [part.column(field.name).cast(field.type) if field.name in part.column_names
                       else pa.nulls(part.num_rows, field.type) for field in schema]
            parts.append(pa.Table.from_arrays(columns, schema=schema))
        tables[name] = pa.concat_tables(parts) if parts else spec.to_arrow([])
    return tables
