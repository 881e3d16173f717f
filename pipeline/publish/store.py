"""Arrow tables -> a DuckDB database whose DDL (keys, checks, comments) comes from schemas/."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.schema import SCHEMAS_DIR, TableSpec, load_spec, sql_identifier, sql_string, table_specs

VIEWS_SQL = SCHEMAS_DIR / "views.sql"
# Block size by the data's size. A small database is mostly one block per table and per index, so
# 16 KiB blocks keep the bundled notice's file small enough to commit (0.6 MiB against 6.5 MiB at
# DuckDB's default 256 KiB). A large one pays per block: at 1,000 notices (about 70 MiB of Arrow
# data) the checkpoint took 10 s with 16 KiB blocks and 0.3 s with 256 KiB, and the file was larger.
SMALL_BLOCK_SIZE, LARGE_BLOCK_SIZE = 16384, 262144
SMALL_DATA_BYTES = 8 << 20


def block_size(tables: dict[str, pa.Table]) -> int:
    return SMALL_BLOCK_SIZE if sum(table.nbytes for table in tables.values()) <= SMALL_DATA_BYTES else LARGE_BLOCK_SIZE


def _insert(connection: duckdb.DuckDBPyConnection, spec: TableSpec, table: pa.Table) -> None:
    connection.register("incoming", table)
    try:
        if spec.self_references:
            _insert_parents_first(connection, spec)
        else:
            connection.execute(f"INSERT INTO {sql_identifier(spec.name)} SELECT * FROM incoming")
    finally:
        connection.unregister("incoming")
        connection.execute("DROP TABLE IF EXISTS temp.generations")


def _insert_parents_first(connection: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    """DuckDB checks a self-referencing key against what earlier statements stored, so parents go in
    before their children: each row's generation (its depth below a row without a parent) comes from
    a recursive query, then one INSERT per generation, in the incoming order within it."""
    fk = spec.self_references[0]
    child = [sql_identifier(c) for c in fk["fields"]]
    parent = [sql_identifier(c) for c in fk["reference"]["fields"]]
    parent_key = ", ".join(parent)
    duplicated = connection.execute(f"SELECT count(*) FROM (SELECT {parent_key} FROM incoming "
                                     f"GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
    if duplicated:
        # A key given twice has no single generation; one statement lets DuckDB name the violation.
        connection.execute(f"INSERT INTO {sql_identifier(spec.name)} SELECT * FROM incoming")
        return
    # With unique keys a row has at most one parent, so the recursion ends: a row in a cycle is
    # never reached from a row without a parent, and is reported as missing its parent below.
    keys = ", ".join(f"{column} AS k{i}" for i, column in enumerate(parent))
    joined = " AND ".join(f"n.{c} = g.k{i}" for i, c in enumerate(child))
    connection.execute(f"""
        CREATE TEMP TABLE generations AS
        WITH RECURSIVE numbered AS (SELECT *, row_number() OVER () AS __row FROM incoming),
        depth AS (
            SELECT __row, {keys}, 0 AS __generation FROM numbered
            WHERE {" OR ".join(f"{c} IS NULL" for c in child)}
            UNION ALL
            SELECT n.__row, {", ".join(f"n.{c}" for c in parent)}, g.__generation + 1
            FROM numbered n JOIN depth g ON {joined}
        )
        SELECT numbered.*, depth.__generation FROM numbered LEFT JOIN depth USING (__row)""")
    orphans = connection.execute(f"SELECT {', '.join(child)} FROM temp.generations WHERE __generation IS NULL "
                                 f"ORDER BY __row LIMIT 3").fetchall()
    if orphans:
        raise ValueError(f"{spec.name}: rows reference parents that do not exist: {orphans}")
    columns = ", ".join(map(sql_identifier, spec.columns))
    last = connection.execute("SELECT max(__generation) FROM temp.generations").fetchone()[0]
    for generation in range(last + 1 if last is not None else 0):
        connection.execute(f"INSERT INTO {sql_identifier(spec.name)} SELECT {columns} FROM temp.generations "
                           f"WHERE __generation = {generation} ORDER BY __row")


def write_database(path: Path, tables: dict[str, pa.Table]) -> None:
    """Create every table with its constraints and load it; a key violation raises."""
    path.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH {sql_string(str(path))} AS plan (BLOCK_SIZE {block_size(tables)})")
        connection.execute("USE plan")
        for name, spec in table_specs().items():
            for statement in spec.ddl():
                connection.execute(statement)
            _insert(connection, spec, tables[name])
        for statement in view_statements():
            connection.execute(statement)
        connection.execute("CHECKPOINT")


def add_change_log(path: Path, table: pa.Table) -> None:
    """The release's change log as the table `changes` of plan.duckdb (schemas/changes.schema.json).

    It is not among the datapackage's resources: a first build's log is empty and an amended one's is
    not, so it cannot be among the files compared for determinism."""
    spec = load_spec("changes")
    with duckdb.connect(str(path)) as connection:
        for statement in spec.ddl():
            connection.execute(statement)
        _insert(connection, spec, table)
        connection.execute("CHECKPOINT")


def split_statements(text: str) -> list[str]:
    """Statements of a SQL file of ours (schemas/views.sql, a release's views.sql): comment lines
    dropped, each statement ending with a semicolon at the end of a line."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")) + "\n"
    return [statement.strip() for statement in text.split(";\n") if statement.strip()]


def view_statements() -> list[str]:
    return split_statements(VIEWS_SQL.read_text(encoding="utf-8"))
