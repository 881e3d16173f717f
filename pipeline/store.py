"""Arrow tables -> a DuckDB database whose DDL (keys, checks, comments) comes from schemas/."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.schema import SCHEMAS_DIR, TableSpec, sql_identifier, sql_string, table_specs

VIEWS_SQL = SCHEMAS_DIR / "views.sql"
BLOCK_SIZE = 16384


def _insert(connection: duckdb.DuckDBPyConnection, spec: TableSpec, table: pa.Table) -> None:
    connection.register("incoming", table)
    try:
        if not spec.self_references:
            connection.execute(f"INSERT INTO {sql_identifier(spec.name)} SELECT * FROM incoming")
            return
        # DuckDB checks a self-referencing key row by row against what is already
        # stored, so parents go in before their children, one generation a statement.
        fk = spec.self_references[0]
        child_cols, parent_cols = fk["fields"], fk["reference"]["fields"]
        stored: set[tuple] = set()
        remaining = table
        while remaining.num_rows:
            keys = list(zip(*(remaining.column(c).to_pylist() for c in child_cols)))
            ready = [any(v is None for v in key) or key in stored for key in keys]
            if not any(ready):
                raise ValueError(f"{spec.name}: rows reference parents that do not exist: {keys[:3]}")
            batch = remaining.filter(pa.array(ready))
            connection.register("incoming", batch)
            connection.execute(f"INSERT INTO {sql_identifier(spec.name)} SELECT * FROM incoming")
            stored.update(zip(*(batch.column(c).to_pylist() for c in parent_cols)))
            remaining = remaining.filter(pc.invert(pa.array(ready)))
    finally:
        connection.unregister("incoming")


def write_database(path: Path, tables: dict[str, pa.Table]) -> None:
    """Create every table with its constraints and load it; a key violation raises."""
    path.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        # The default 256 KiB blocks give every table and index a block of its own:
        # 6.5 MiB for 1,000 rows. 16 KiB blocks keep the file small enough to commit.
        connection.execute(f"ATTACH {sql_string(str(path))} AS plan (BLOCK_SIZE {BLOCK_SIZE})")
        connection.execute("USE plan")
        for name, spec in table_specs().items():
            for statement in spec.ddl():
                connection.execute(statement)
            _insert(connection, spec, tables[name])
        for statement in view_statements():
            connection.execute(statement)
        connection.execute("CHECKPOINT")


def view_statements() -> list[str]:
    text = "\n".join(line for line in VIEWS_SQL.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in text.split(";\n") if statement.strip()]
