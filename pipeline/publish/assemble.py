"""Everything that goes into one release directory, written into staging."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pipeline.publish.datapackage import build_descriptor, write_descriptor
from pipeline.publish.files import write_table_files
from pipeline.schema import table_specs
from pipeline.store import write_database

DATABASE_NAME = "plan.duckdb"


def write_data_files(staging: Path, tables: dict[str, pa.Table], homepage: str | None = None) -> dict:
    """CSV, Excel CSV, JSON and Parquet for every table, then datapackage.json. Returns the descriptor."""
    for name in table_specs():
        write_table_files(staging, name, tables[name])
    descriptor = build_descriptor(staging, tables, homepage)
    write_descriptor(staging, descriptor)
    return descriptor


def write_plan_database(staging: Path, tables: dict[str, pa.Table]) -> Path:
    path = staging / DATABASE_NAME
    write_database(path, tables)
    return path
