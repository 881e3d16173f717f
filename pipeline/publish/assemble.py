"""Everything that goes into one release directory, written into staging.

Per-notice tables are written one file per shard and format (``csv/tasks/3.csv``), so that
a shard whose notices did not change can be a hard link to the previous release's file;
the registry tables are small and written whole (``csv/units.csv``)."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import PlanDataError
from pipeline.publish.datapackage import (DATA_FORMATS, NOTICE_TABLE_NAMES, REGISTRY_TABLE_NAMES, build_descriptor,
                                          make_resource, notice_sources, registry_sources, resource_path,
                                          write_descriptor)
from pipeline.publish.files import FORMATS, write_table_files
from pipeline.extraction.shards import SHARDS, shard_of
from pipeline.publish.store import write_database

DATABASE_NAME = "plan.duckdb"


def _write(staging: Path, name: str, table: pa.Table, shard: str | None) -> tuple[list[dict], list[str]]:
    write_table_files(staging, name if shard is None else f"{name}/{shard}", table)
    resources = [make_resource(staging, name, fmt, table.num_rows, shard) for fmt in DATA_FORMATS]
    return resources, [resource_path(name, fmt, shard) for fmt in FORMATS]


def write_shard_files(staging: Path, shard: str, tables: dict[str, pa.Table]) -> tuple[list[dict], list[str]]:
    """Every per-notice table's rows of one shard: (datapackage resources, every file written)."""
    resources, files = [], []
    for name in NOTICE_TABLE_NAMES:
        more, paths = _write(staging, name, tables[name], shard)
        resources += more
        files += paths
    return resources, files


def write_registry_files(staging: Path, tables: dict[str, pa.Table]) -> tuple[list[dict], list[str]]:
    resources, files = [], []
    for name in REGISTRY_TABLE_NAMES:
        more, paths = _write(staging, name, tables[name], None)
        resources += more
        files += paths
    return resources, files


def split_by_shard(tables: dict[str, pa.Table]) -> dict[str, dict[str, pa.Table]]:
    """The per-notice tables' rows by shard; only shards that hold a document."""
    shards = {}
    doc_shards = {doc_id: shard_of(doc_id) for doc_id in tables["documents"].column("doc_id").to_pylist()}
    for shard in SHARDS:
        ids = pa.array([doc_id for doc_id, of in doc_shards.items() if of == shard], pa.string())
        if len(ids):
            shards[shard] = {name: tables[name].filter(pc.is_in(tables[name].column("doc_id"), value_set=ids))
                             for name in NOTICE_TABLE_NAMES}
    return shards


def write_data_files(staging: Path, tables: dict[str, pa.Table], homepage: str | None = None) -> dict:
    """A whole release's data files and datapackage.json from tables in memory (tests and tools;
    a build writes shard by shard). Returns the descriptor."""
    resources, _ = write_registry_files(staging, tables)
    for shard, shard_tables in split_by_shard(tables).items():
        resources += write_shard_files(staging, shard, shard_tables)[0]
    descriptor = build_descriptor(resources, notice_sources(tables["documents"]), registry_sources(tables), homepage)
    write_descriptor(staging, descriptor)
    return descriptor


def write_plan_database(staging: Path, tables: dict[str, pa.Table]) -> Path:
    """plan.duckdb; a disk that is full or fails is one line naming the file, not DuckDB's own words
    ("TransactionContext Error: Failed to commit") or an errno."""
    path = staging / DATABASE_NAME
    try:
        write_database(path, tables)
    except (duckdb.IOException, duckdb.TransactionException, OSError) as error:
        if isinstance(error, OSError):
            detail = error.strerror or "cannot be written"
        else:
            detail = re.sub(r"\b[A-Z]\w* Error: ", "", " ".join(str(error).split())) or "cannot be written"
        full = " (the disk is full)" if "No space left" in detail else ""
        raise PlanDataError(f"cannot write the database{full}: {detail}", file=str(path)) from None
    return path
