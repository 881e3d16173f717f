"""Read the written CSV, JSON and Parquet files back into typed DuckDB tables, checking types on the way.

The checks run over what a user downloads, not over the tables in memory, so a
writer's bug (a lost null, a number written as text, a dropped row) is caught.
Each loader returns the type violations it found and leaves a temporary table
with the schema's columns, typed, plus ``__row``.
"""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline.checks.rules import ROW
from pipeline.core.decode import MAX_SOURCE_BYTES
from pipeline.schema import DUCKDB_TYPES, TableSpec, sql_identifier, sql_string

# Frictionless's default true and false values for a boolean in a text file.
_TRUE, _FALSE = ("true", "True", "TRUE", "1"), ("false", "False", "FALSE", "0")
_TEXT_IS_TYPED = {
    "string": "true",
    "integer": "regexp_full_match({v}, '-?[0-9]+')",
    "number": "TRY_CAST({v} AS DOUBLE) IS NOT NULL",
    "boolean": "{v} IN (" + ", ".join(map(sql_string, _TRUE + _FALSE)) + ")",
    "date": "regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND TRY_CAST({v} AS DATE) IS NOT NULL",
}
_JSON_TYPES = {"string": ("VARCHAR",), "integer": ("BIGINT", "UBIGINT"), "number": ("BIGINT", "UBIGINT", "DOUBLE"),
               "boolean": ("BOOLEAN",), "date": ("VARCHAR",)}

Found = tuple[str, str | None, int | None, str | None]  # rule, column, row, value

# One paragraph may be a whole notice (up to MAX_SOURCE_BYTES), a row may hold it in two columns
# (a task's text and its section's), and quoting may double every character: a CSV line or a JSON
# row of a notice accepted by its size must never fail the read-back on DuckDB's own limits
# (2 MB a CSV line, 16 MB a JSON object, by default).
MAX_ROW_BYTES = 4 * MAX_SOURCE_BYTES + (1 << 20)


def _file_list(paths: list[Path]) -> str:
    return "[" + ", ".join(sql_string(str(path)) for path in paths) + "]"


# A row of the n-th file (from 0) of a load is numbered n * FILE_STRIDE + its row in that file
# (the header is row 1): one integer that orders rows, and that locate() turns back into the file
# and the row a user opens.
FILE_STRIDE = 10**12


def numbered(paths: list[Path], source: str) -> str:
    """``source`` (a read_* call with filename = true) with ROW added, numbered file by file."""
    return (f"SELECT * EXCLUDE (__ord), (list_position({_file_list(paths)}, filename) - 1) * {FILE_STRIDE} "
            f"+ row_number() OVER (PARTITION BY filename ORDER BY __ord) + 1 AS {ROW} "
            f"FROM (SELECT *, row_number() OVER () AS __ord FROM {source})")


def locate(paths: list, row: int | None) -> tuple[object, int | None]:
    """(the file, the row in it) of a row numbered by numbered(); (None, None) without a row."""
    if row is None:
        return None, None
    index, local = divmod(row, FILE_STRIDE)
    return (paths[index] if 0 <= index < len(paths) else None), local


def _text_to_typed(field: dict, text: str) -> str:
    kind = field["type"]
    if kind == "boolean":
        return f"CASE WHEN {text} IN ({', '.join(map(sql_string, _TRUE))}) THEN true " \
               f"WHEN {text} IN ({', '.join(map(sql_string, _FALSE))}) THEN false END"
    return f"TRY_CAST({text} AS {DUCKDB_TYPES[kind]})"


def _type_errors(con: duckdb.DuckDBPyConnection, raw: str, spec: TableSpec, value_of, json: bool) -> list[Found]:
    parts = []
    for field in spec.fields:
        value = value_of(field["name"])
        if json:
            allowed = ", ".join(map(sql_string, _JSON_TYPES[field["type"]]))
            bad = f"json_type({value}) <> 'NULL' AND (json_type({value}) NOT IN ({allowed})"
            if field["type"] == "date":
                text = f"json_extract_string({value}, '$')"
                bad += f" OR NOT ({_TEXT_IS_TYPED['date'].format(v=text)})"
            bad += ")"
            shown = f"CAST({value} AS VARCHAR)"
        else:
            bad = f"NOT ({_TEXT_IS_TYPED[field['type']].format(v=value)})"
            shown = value
        parts.append(f"(SELECT {sql_string('type-error/' + field['type'])}, {sql_string(field['name'])}, {ROW}, "
                     f"{shown} FROM {raw} WHERE {value} IS NOT NULL AND ({bad}) ORDER BY {ROW} LIMIT 100)")
    return [tuple(row) for row in con.execute(" UNION ALL ".join(parts)).fetchall()]


def load_csv(con: duckdb.DuckDBPyConnection, spec: TableSpec, paths: list[Path], table: str) -> list[Found]:
    found: list[Found] = []
    for index, path in enumerate(paths):
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        if header != spec.columns:
            found.append(("header-error", None, index * FILE_STRIDE + 1, f"{path.name}: {','.join(header)}"))
    if found:
        return found
    raw = f"{table}__raw"
    columns = "{" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in spec.columns) + "}"
    source = (f"read_csv({_file_list(paths)}, header = true, auto_detect = false, columns = {columns}, "
              f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, filename = true, "
              f"max_line_size = {MAX_ROW_BYTES})")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {numbered(paths, source)}")
    found += _type_errors(con, raw, spec, sql_identifier, json=False)
    typed = ", ".join(f"{_text_to_typed(f, sql_identifier(f['name']))} AS {sql_identifier(f['name'])}"
                      for f in spec.fields)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {typed}, {ROW} FROM {raw}")
    con.execute(f"DROP TABLE {raw}")
    return found


def load_json(con: duckdb.DuckDBPyConnection, spec: TableSpec, paths: list[Path], table: str) -> list[Found]:
    raw = f"{table}__raw"
    # Each row object is parsed once for its keys and once for all its values (json_extract with a
    # list of paths); the checks and casts then read the small per-column JSON values.
    paths_list = "[" + ", ".join(sql_string("$." + name) for name in spec.columns) + "]"
    values = ", ".join(f"v[{i}] AS {sql_identifier(name)}" for i, name in enumerate(spec.columns, start=1))
    source = (f"read_json_objects({_file_list(paths)}, format = 'array', filename = true, "
              f"maximum_object_size = {MAX_ROW_BYTES})")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT {ROW}, k, {values} FROM ("
                f"SELECT {ROW}, json_keys(json) AS k, json_extract(json, {paths_list}) AS v "
                f"FROM ({numbered(paths, source)}))")
    found: list[Found] = []
    # Every expected key present and no other: the count rules out an extra or a repeated key, and
    # a row that is not an object has no keys.
    expected = "[" + ", ".join(map(sql_string, spec.columns)) + "]"
    for row, keys in con.execute(f"SELECT {ROW}, list_sort(k) FROM {raw} WHERE len(k) <> "
                                 f"{len(spec.columns)} OR NOT list_has_all(k, {expected}) "
                                 f"ORDER BY {ROW} LIMIT 100").fetchall():
        found.append(("key-error", None, row, ",".join(keys or [])))
    found += _type_errors(con, raw, spec, sql_identifier, json=True)
    typed = ", ".join(
        f"{_text_to_typed(f, 'json_extract_string(' + sql_identifier(f['name']) + ', ' + sql_string('$') + ')')} "
        f"AS {sql_identifier(f['name'])}" for f in spec.fields)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {typed}, {ROW} FROM {raw}")
    con.execute(f"DROP TABLE {raw}")
    return found


def load_parquet(con: duckdb.DuckDBPyConnection, spec: TableSpec, paths: list[Path], table: str) -> list[Found]:
    expected = spec.arrow_schema()
    found: list[Found] = []
    for path in paths:
        actual = pq.read_schema(path)
        shape = [(f.name, f.type) for f in actual]
        if shape != [(f.name, f.type) for f in expected]:
            found.append(("type-error/schema", None, None,
                          f"{path.name}: " + ", ".join(f"{name} {kind}" for name, kind in shape)))
    if found:
        return found
    columns = ", ".join(map(sql_identifier, spec.columns))
    source = f"read_parquet({_file_list(paths)}, filename = true)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {columns}, {ROW} FROM ({numbered(paths, source)})")
    return found


LOADERS = {"csv": load_csv, "json": load_json, "parquet": load_parquet}
