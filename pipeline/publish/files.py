"""Deterministic data files: the same table gives the same bytes, every time.

csv/    UTF-8 without BOM, LF: the Frictionless and tooling default.
excel/  UTF-8 with BOM, CRLF: what Excel on Chinese Windows needs to show the text. A text
        cell or header that a spreadsheet would run as a formula (it begins with = + - @, a
        tab or a carriage return) is written with a leading ' and quoted, as OWASP recommends
        against CSV injection. csv/, json/ and parquet/ keep the exact text.
json/   an array of row objects, one row per line.
parquet/ zstd-compressed, no timestamps in the metadata.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.provenance import untagged

FORMATS = ("csv", "json", "parquet", "excel")
# https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _field(value: object, guard_formulas: bool) -> str:
    text = "" if value is None else str(_cell(value))
    guarded = guard_formulas and isinstance(value, str) and text.startswith(FORMULA_STARTS)
    if guarded:
        text = "'" + text
    # As csv.QUOTE_MINIMAL quotes, but also a lone \r, which the csv module leaves bare
    # when the line ends in \n (a reader then splits the row); a guarded cell always.
    if guarded or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _delimited(table: pa.Table, line_end: str, guard_formulas: bool) -> str:
    lines = [",".join(_field(name, guard_formulas) for name in table.column_names)]
    lines.extend(",".join(_field(value, guard_formulas) for value in row.values()) for row in table.to_pylist())
    return "".join(line + line_end for line in lines)


def csv_text(table: pa.Table) -> str:
    """The exact data: LF line ends, every cell as it is."""
    return _delimited(table, "\n", guard_formulas=False)


def excel_csv_text(table: pa.Table) -> str:
    """The CSV for spreadsheets: CRLF, and no text cell or header that a spreadsheet runs as a formula."""
    return _delimited(table, "\r\n", guard_formulas=True)


def json_text(table: pa.Table) -> str:
    # JSON has its own true/false; only dates need a text form there.
    rows = [json.dumps({key: value if isinstance(value, bool) else _cell(value) for key, value in row.items()},
                       ensure_ascii=False)
            for row in table.to_pylist()]
    return "[\n" + ",\n".join(rows) + ("\n" if rows else "") + "]\n"


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
