"""Deterministic data files: the same table gives the same bytes, every time.

csv/    UTF-8 without BOM, LF: the Frictionless and tooling default.
excel/  UTF-8 with BOM, CRLF: what Excel on Chinese Windows needs to show the text. A text
        cell or header that a spreadsheet would run as a formula (it begins with = + - @, a
        tab or a carriage return) is written with a leading ' and quoted, as OWASP recommends
        against CSV injection. csv/, json/ and parquet/ keep the exact text.
json/   an array of row objects, one row per line.
parquet/ zstd-compressed, no timestamps in the metadata.

Polars renders whole columns with expressions (quoting, the formula guard, JSON escapes) and joins
them into lines. Its own write_csv is not used: it writes an empty string as "" (we leave it bare, as
the csv module does) and cannot quote one guarded cell without quoting the whole column.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.extraction.provenance import untagged

FORMATS = ("csv", "json", "parquet", "excel")
# https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE_WHEN = (",", '"', "\r", "\n")
# Rust regular expressions (Polars) of the same characters, each as a \x{..} escape.
_FORMULA_START = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in FORMULA_STARTS) + "]"
_NEEDS_QUOTES = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _QUOTE_WHEN) + "]"
# What json.dumps(ensure_ascii=False) escapes in a string, and how: its own table, in one pass.
_JSON_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_JSON_ESCAPES.update({chr(i): f"\\u{i:04x}" for i in range(0x20) if chr(i) not in _JSON_ESCAPES})
_NO_OPTIMIZATIONS = pl.QueryOptFlags.none()


def _kind(arrow_type: pa.DataType) -> str:
    """How a column is rendered: by Polars (text, date, plain), or value by value in Python (other).

    Only the types of schemas/ and the change log go through Polars; any other type (a float, a
    timestamp, a list) keeps the Python rendering, so that every table still gets the same bytes."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type):
        return "text"
    if pa.types.is_date32(arrow_type):
        return "date"
    if pa.types.is_integer(arrow_type) or pa.types.is_boolean(arrow_type) or pa.types.is_null(arrow_type):
        return "plain"
    return "other"


def _cell(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _python_field(value: object, guard_formulas: bool) -> str:
    """One CSV field rendered in Python: a header, or a cell of a type Polars does not render here."""
    text = "" if value is None else str(_cell(value))
    guarded = guard_formulas and isinstance(value, str) and text.startswith(FORMULA_STARTS)
    if guarded:
        text = "'" + text
    # As csv.QUOTE_MINIMAL quotes, but also a lone \r, which the csv module leaves bare
    # when the line ends in \n (a reader then splits the row); a guarded cell always.
    if guarded or any(c in text for c in _QUOTE_WHEN):
        return '"' + text.replace('"', '""') + '"'
    return text


def _python_json(value: object) -> str:
    # JSON has its own true/false; only dates need a text form there.
    return json.dumps(value if isinstance(value, bool) else _cell(value), ensure_ascii=False)


@cache
def _csv_plan(kinds: tuple[str, ...], guard_formulas: bool, line_end: str) -> tuple[list[pl.Expr], pl.Expr]:
    """Two stages of expressions: what each text cell needs (a guard, quotes), then the lines joined.

    The plan depends on the column kinds only, so a call per small shard file does not pay again
    for building it; two stages keep each expression small for Polars to plan."""
    needs, fields = [], []
    for index, kind in enumerate(kinds):
        column = pl.col(f"c{index}")
        if kind == "text":
            text = column.fill_null("")
            guarded = text.str.contains(_FORMULA_START) if guard_formulas else pl.lit(False)
            needs += [text.alias(f"c{index}"), guarded.alias(f"g{index}"),
                      (guarded | text.str.contains(_NEEDS_QUOTES)).alias(f"q{index}")]
            prefix = pl.when(pl.col(f"g{index}")).then(pl.lit("'")).otherwise(pl.lit(""))
            fields.append(pl.when(pl.col(f"q{index}"))
                          .then(pl.concat_str(pl.lit('"'), prefix, column.str.replace_all('"', '""', literal=True),
                                              pl.lit('"')))
                          .otherwise(pl.concat_str(prefix, column)))
        elif kind == "other":
            fields.append(column)  # rendered in Python already
        else:
            # Dates print as ISO, booleans as true/false, integers as Python prints them: none needs quotes.
            fields.append(column.cast(pl.String).fill_null(""))
    return needs, pl.concat_str(fields, separator=",").str.join(line_end)


@cache
def _json_plan(names: tuple[str, ...], kinds: tuple[str, ...]) -> pl.Expr:
    parts = []
    for index, (name, kind) in enumerate(zip(names, kinds)):
        parts.append(pl.lit(("{" if index == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": "))
        column = pl.col(f"c{index}")
        if kind in ("text", "date"):
            escaped = column.cast(pl.String).str.replace_many(list(_JSON_ESCAPES), list(_JSON_ESCAPES.values()))
            parts.append(pl.concat_str(pl.lit('"'), escaped, pl.lit('"')).fill_null("null"))
        elif kind == "other":
            parts.append(column)  # rendered in Python already
        else:
            parts.append(column.cast(pl.String).fill_null("null"))
    parts.append(pl.lit("}"))
    return pl.concat_str(parts).str.join(",\n")


def _rendered(table: pa.Table, kinds: tuple[str, ...], render) -> pl.LazyFrame:
    """The table for Polars, its columns named by position (a table's names need not be unique);
    a column of another type is rendered value by value first."""
    columns = {f"c{index}": column if kind != "other" else pa.array(map(render, column.to_pylist()), pa.string())
               for index, (column, kind) in enumerate(zip(table.columns, kinds))}
    return pl.from_arrow(pa.table(columns)).lazy()


def _text(query: pl.LazyFrame) -> str:
    # A plain projection of a frame in memory: the optimiser finds nothing to push down, and its
    # passes cost more than the work on a small shard.
    return query.collect(optimizations=_NO_OPTIMIZATIONS).item()


def _delimited(table: pa.Table, line_end: str, guard_formulas: bool) -> str:
    header = ",".join(_python_field(name, guard_formulas) for name in table.column_names) + line_end
    if not table.num_rows:
        return header
    if not table.num_columns:
        return header + line_end * table.num_rows
    kinds = tuple(_kind(field.type) for field in table.schema)
    needs, lines = _csv_plan(kinds, guard_formulas, line_end)
    frame = _rendered(table, kinds, lambda value: _python_field(value, guard_formulas))
    return header + _text(frame.with_columns(needs).select(lines)) + line_end


def csv_text(table: pa.Table) -> str:
    """The exact data: LF line ends, every cell as it is."""
    return _delimited(table, "\n", guard_formulas=False)


def excel_csv_text(table: pa.Table) -> str:
    """The CSV for spreadsheets: CRLF, and no text cell or header that a spreadsheet runs as a formula."""
    return _delimited(table, "\r\n", guard_formulas=True)


def json_text(table: pa.Table) -> str:
    if not table.num_rows:
        return "[\n]\n"
    if not table.num_columns:
        return "[\n" + ",\n".join(["{}"] * table.num_rows) + "\n]\n"
    kinds = tuple(_kind(field.type) for field in table.schema)
    lines = _text(_rendered(table, kinds, _python_json).select(_json_plan(tuple(table.column_names), kinds)))
    return "[\n" + lines + "\n]\n"


def write_table_files(directory: Path, name: str, table: pa.Table) -> dict[str, Path]:
    paths = {fmt: directory / fmt / f"{name}.{'csv' if fmt == 'excel' else fmt}" for fmt in FORMATS}
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    paths["csv"].write_bytes(csv_text(table).encode("utf-8"))
    paths["excel"].write_bytes(excel_csv_text(table).encode("utf-8-sig"))
    paths["json"].write_bytes(json_text(table).encode("utf-8"))
    pq.write_table(untagged(table), paths["parquet"], compression="zstd", write_statistics=True,
                   store_schema=True)
    return paths
