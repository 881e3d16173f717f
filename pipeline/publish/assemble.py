"""Everything that goes into one release directory, written into staging.

Every table is written whole, one file per format (``csv/tasks.csv``, ``parquet/tasks.parquet``):
the per-notice tables are concatenated from the shards' rows (kept in the shard store, in shard
order, each shard's notices by source file), the registry tables from the registry. Then one zip
per format (``downloads/csv.zip``)."""
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
from pipeline.extraction.extract import concat
from pipeline.publish.downloads import write_downloads
from pipeline.publish.files import FORMATS, write_table_files
from pipeline.extraction.shards import SHARDS, shard_of
from pipeline.publish.store import write_database

DATABASE_NAME = "plan.duckdb"


def _write(staging: Path, name: str, table: pa.Table) -> tuple[list[dict], list[str]]:
    write_table_files(staging, name, table)
    resources = [make_resource(staging, name, fmt, table.num_rows) for fmt in DATA_FORMATS]
    return resources, [resource_path(name, fmt) for fmt in FORMATS]


def _write_all(staging: Path, names: tuple[str, ...], tables: dict[str, pa.Table]) -> tuple[list[dict], list[str]]:
    resources, files = [], []
    for name in names:
        more, paths = _write(staging, name, tables[name])
        resources += more
        files += paths
    return resources, files


def write_registry_files(staging: Path, tables: dict[str, pa.Table]) -> tuple[list[dict], list[str]]:
    return _write_all(staging, REGISTRY_TABLE_NAMES, tables)


def assemble_notice_tables(shards: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """The whole per-notice tables from the shards' tables, in the order given (shard order)."""
    return {name: concat([shard[name] for shard in shards], name) for name in NOTICE_TABLE_NAMES}


def write_notice_files(staging: Path, tables: dict[str, pa.Table]) -> tuple[list[dict], list[str]]:
    """Every per-notice table, whole: (datapackage resources, every file written)."""
    return _write_all(staging, NOTICE_TABLE_NAMES, tables)


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
    """A whole release's data files, zips and datapackage.json from tables in memory (tests and
    tools), its rows in the order a build gives them (by shard). Returns the descriptor."""
    resources, _ = write_registry_files(staging, tables)
    resources += write_notice_files(staging, assemble_notice_tables(list(split_by_shard(tables).values())))[0]
    write_downloads(staging)
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
