"""`plandata sql`: DuckDB queries over a release, with the Python duckdb package the install provides.

The DuckDB CLI on PyPI is older than the database format the build writes, and Debian has none, so the
shell is ours: a query given as an argument prints one table; without one, statements are read from a
prompt (or from stdin when it is not a terminal), each ending with `;`. The database is opened read-only.
With --views, an in-memory database runs a release's views.sql with the release folder as DuckDB's
file_search_path, so the Parquet paths in it resolve from any working directory."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, TextIO

import duckdb

from pipeline.errors import PlanDataError
from pipeline.publish.store import split_statements
from pipeline.render.terminal_table import escape, format_table
from pipeline.schema import sql_string

PROMPT, CONTINUATION = "plandata> ", "     ...> "
QUIT = {".quit", ".exit", "\\q"}


def connect(database: Path | None = None, views: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Read-only plan.duckdb, or an in-memory database holding a release's views.sql."""
    if views is not None:
        if not views.is_file():
            raise PlanDataError("no views.sql here (give a release's views.sql)", file=str(views))
        connection = duckdb.connect()
        connection.execute(f"SET file_search_path = {sql_string(str(views.resolve().parent))}")
        try:
            for statement in split_statements(views.read_text(encoding="utf-8")):
                connection.execute(statement)
        except duckdb.Error as error:
            connection.close()
            raise PlanDataError(f"cannot run views.sql: {_first_line(error)}", file=str(views)) from None
        return connection
    assert database is not None
    if not database.is_file():
        raise PlanDataError("no database here: build a release first, or give --outputs or --database",
                            file=str(database))
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise PlanDataError(f"cannot open the database: {_first_line(error)}", file=str(database)) from None


def _first_line(error: Exception) -> str:
    return escape(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)


def run_query(connection: duckdb.DuckDBPyConnection, query: str, cell_width: int | None) -> str:
    """The table of the last statement's result (or 'OK' for a statement without one)."""
    try:
        result = connection.execute(query)
        if result.description is None:
            return "OK"
        columns = [column[0] for column in result.description]
        return format_table(columns, result.fetchall(), cell_width)
    except duckdb.Error as error:
        raise PlanDataError(f"query failed: {_first_line(error)}") from None


def interactive(connection: duckdb.DuckDBPyConnection, cell_width: int | None, stdin: TextIO, out: TextIO,
                err: TextIO, read_line: Callable[[str], str] | None = None) -> int:
    """Statements end with `;`; .quit or end of input leaves. A failed query prints one line and goes on;
    the exit status is 1 when any failed (for piped input), else 0."""
    tty = stdin.isatty()
    if tty:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
        read_line = read_line or input
        print("plandata sql: end each statement with ';', .quit to leave (read-only)", file=err)
    failed = False
    buffer: list[str] = []
    while True:
        try:
            if tty:
                line = read_line(CONTINUATION if buffer else PROMPT)
            else:
                line = stdin.readline()
                if not line:
                    raise EOFError
        except EOFError:
            break
        except KeyboardInterrupt:
            buffer.clear()
            print(file=err)
            continue
        if not buffer and line.strip() in QUIT:
            break
        buffer.append(line.rstrip("\n"))
        if not line.rstrip().endswith(";"):
            continue
        query = "\n".join(buffer)
        buffer.clear()
        try:
            print(run_query(connection, query, cell_width), file=out)
        except PlanDataError as error:
            failed = True
            print(f"error: {error}", file=err)
    if any(part.strip() for part in buffer):
        try:
            print(run_query(connection, "\n".join(buffer), cell_width), file=out)
        except PlanDataError as error:
            failed = True
            print(f"error: {error}", file=err)
    return 1 if failed else 0


def sql_command(query: str | None, database: Path | None, views: Path | None, cell_width: int | None) -> int:
    with connect(database, views) as connection:
        if query is not None:
            print(run_query(connection, query, cell_width))
            return 0
        return interactive(connection, cell_width, sys.stdin, sys.stdout, sys.stderr)
