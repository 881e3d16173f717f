"""The source file a table was read from, carried in the Arrow table's schema metadata.

The registry tables reach the publishing step through Dagster as plain Arrow tables; the
name and sha256 of the file they were read from ride along with them, so datapackage.json
lists the registry among its sources without reading the sources directory a second time.
Published files never carry this metadata."""
from __future__ import annotations

import json

import pyarrow as pa

SOURCE_KEY = b"plandata:source"


def tag_source(table: pa.Table, file_name: str, sha256: str) -> pa.Table:
    return table.replace_schema_metadata({SOURCE_KEY: json.dumps({"file": file_name, "sha256": sha256})})


def source_of(table: pa.Table) -> dict | None:
    """{"file": ..., "sha256": ...} of a tagged table; None for the others."""
    metadata = table.schema.metadata or {}
    return json.loads(metadata[SOURCE_KEY]) if SOURCE_KEY in metadata else None


def untagged(table: pa.Table) -> pa.Table:
    return table.replace_schema_metadata(None) if table.schema.metadata else table
