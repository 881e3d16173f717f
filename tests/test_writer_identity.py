"""The vectorised writers of pipeline/publish/files.py give the same bytes as the row-by-row writers
they replaced, for every table of every schema and for hostile text.

The reference below (``reference_*``) is the previous implementation, kept verbatim (only renamed), so
that any byte the new code writes differently from it fails here: quoting of , " \\r \\n, a lone \\r,
the OWASP formula guard of excel/, empty text against null, ISO dates, true/false, and json.dumps's
spacing and escapes (control characters, \\u2028, non-BMP characters).
"""
from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.publish.files import csv_text, excel_csv_text, json_text
from pipeline.schema import load_spec, table_specs

# --- reference: the previous pipeline/publish/files.py writers, verbatim --------------------------
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


def reference_csv_text(table: pa.Table) -> str:
    """The exact data: LF line ends, every cell as it is."""
    return _delimited(table, "\n", guard_formulas=False)


def reference_excel_csv_text(table: pa.Table) -> str:
    """The CSV for spreadsheets: CRLF, and no text cell or header that a spreadsheet runs as a formula."""
    return _delimited(table, "\r\n", guard_formulas=True)


def reference_json_text(table: pa.Table) -> str:
    # JSON has its own true/false; only dates need a text form there.
    rows = [json.dumps({key: value if isinstance(value, bool) else _cell(value) for key, value in row.items()},
                       ensure_ascii=False)
            for row in table.to_pylist()]
    return "[\n" + ",\n".join(rows) + ("\n" if rows else "") + "]\n"
# --- end of reference -----------------------------------------------------------------------------


SPECS = {**table_specs(), "changes": load_spec("changes")}
# Every character a writer treats specially, and text that stresses encoders.
PIECES = ['"', ",", "\r", "\n", "\r\n", "=", "+", "-", "@", "\t", "'", "\\", "\x00", "\x1f", "\x7f", "\b",
          "\f", "\u2028", "\u2029", "市财政（地税）局", "牵头", "😀", "𝌆", " ", "a", "1", "true", "null", "“"]
TEXT = st.one_of(st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
                 st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8))
VALUES = {
    pa.string(): TEXT,
    pa.int64(): st.integers(min_value=-(2**63), max_value=2**63 - 1),
    pa.bool_(): st.booleans(),
    pa.date32(): st.dates(),
}


@st.composite
def schema_tables(draw, spec_name: str) -> pa.Table:
    schema = SPECS[spec_name].arrow_schema()
    count = draw(st.integers(min_value=0, max_value=6))
    columns = {}
    for field in schema:
        values = VALUES[field.type]
        if field.nullable:
            values = st.one_of(st.none(), values)
        columns[field.name] = draw(st.lists(values, min_size=count, max_size=count))
    return pa.table(columns, schema=schema)


def _same_bytes(table: pa.Table) -> None:
    assert csv_text(table).encode("utf-8") == reference_csv_text(table).encode("utf-8")
    assert excel_csv_text(table).encode("utf-8-sig") == reference_excel_csv_text(table).encode("utf-8-sig")
    assert json_text(table).encode("utf-8") == reference_json_text(table).encode("utf-8")


@pytest.mark.parametrize("spec_name", sorted(SPECS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_schema_table_is_written_as_the_row_by_row_writer_wrote_it(spec_name, data):
    _same_bytes(data.draw(schema_tables(spec_name)))


@settings(max_examples=100, deadline=None)
@given(names=st.lists(TEXT, min_size=1, max_size=4, unique=True), data=st.data())
def test_hostile_headers_and_cells_of_every_column_type(names, data):
    kinds = [data.draw(st.sampled_from(list(VALUES))) for _ in names]
    count = data.draw(st.integers(min_value=1, max_value=5))
    columns = [pa.array(data.draw(st.lists(st.one_of(st.none(), VALUES[kind]), min_size=count, max_size=count)),
                        kind) for kind in kinds]
    _same_bytes(pa.table(columns, names=names))


def test_every_quoting_and_guard_case_by_hand():
    cells = ["", None, "plain", 'say "hi"', "a,b", "lone\rcr", "line\nfeed", "cr\r\nlf", "=1+1", "+1", "-1", "@a",
             "\tx", "\rx", " =1", "＝1", "'=1", "\u2028", "\x01", "😀𝌆", "中文"]
    table = pa.table({"=h": cells, "n": pa.array([-1] * len(cells), pa.int64()),
                      "d": pa.array([dt.date(1, 1, 1)] * len(cells)), "b": [True, None] * 10 + [False]})
    _same_bytes(table)


def test_types_outside_the_schemas_are_written_as_before():
    # Numbers and timestamps are not in schemas/, but the writers take any table (the change log among them).
    table = pa.table({"x": [1.5, None, float("nan"), 1e-7, float("inf")],
                      "at": [dt.datetime(2008, 5, 1, 8, 30), None, dt.datetime(2008, 5, 1, 8, 30, 0, 5), None, None],
                      "tags": [["a"], None, [], ["=b"], ["c,d"]]})
    _same_bytes(table)
    _same_bytes(pa.table({"x": pa.array([None, None], pa.null()), "y": ["=", ""]}))


def test_empty_tables():
    for spec in SPECS.values():
        _same_bytes(spec.arrow_schema().empty_table())
