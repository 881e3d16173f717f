"""Deterministic data files: the same table gives the same bytes, every time.

csv/    UTF-8 without BOM, LF: the Frictionless and tooling default.
excel/  UTF-8 with BOM, CRLF: what Excel on Chinese Windows needs to show the text.
json/   an array of row objects, one row per line.
parquet/ zstd-compressed, no timestamps in the metadata.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("csv", "json", "parquet", "excel")


def _cell(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_text(table: pa.Table, line_end: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if value is None else _cell(value) for value in row.values()])
    return buffer.getvalue()


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
    paths["excel"].write_bytes(csv_text(table, "\r\n").encode("utf-8-sig"))
    paths["json"].write_bytes(json_text(table).encode("utf-8"))
    pq.write_table(table, paths["parquet"], compression="zstd", write_statistics=True,
                   store_schema=True)
    return paths
