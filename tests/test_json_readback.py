"""pipeline/checks/readback.py load_json: the JSON file a user downloads is read back typed, and each
way a writer could get a row wrong is reported with its line (the array's first row is line 2)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipeline.checks.readback import load_json
from pipeline.schema import TableSpec

SPEC = TableSpec({"name": "things", "fields": [
    {"name": "id", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "x", "type": "number"},
    {"name": "flag", "type": "boolean"}, {"name": "day", "type": "date"}]})
GOOD = '{"id": "甲", "n": 1, "x": 1.5, "flag": true, "day": "2008-05-01"}'


def _load(tmp_path, *rows: str):
    path = tmp_path / "things.json"
    path.write_text("[\n" + ",\n".join(rows) + "\n]\n", encoding="utf-8")
    con = duckdb.connect()
    found = load_json(con, SPEC, [path], "things")
    return found, con


def test_an_intact_file_is_read_back_typed(tmp_path):
    found, con = _load(tmp_path, GOOD, '{"id": null, "n": null, "x": 2, "flag": false, "day": null}')
    assert found == []
    assert con.execute("SELECT id, n, x, flag, day, __row FROM things ORDER BY __row").fetchall() == [
        ("甲", 1, 1.5, True, dt.date(2008, 5, 1), 2), (None, None, 2.0, False, None, 3)]


@pytest.mark.parametrize("row, keys", [
    ('["甲", 1, 1.5, true, "2008-05-01"]', ""),
    ('"甲"', ""),
    ('{"id": "甲", "n": 1, "x": 1.5, "flag": true}', "flag,id,n,x"),
    ('{"id": "甲", "n": 1, "x": 1.5, "flag": true, "day": null, "extra": 1}', "day,extra,flag,id,n,x"),
    ('{"id": "甲", "n": 1, "x": 1.5, "flag": true, "day": null, "day": null}', "day,day,flag,id,n,x"),
    ('{"id": "甲", "n": 1, "x": 1.5, "flag": true, "Day": null}', "Day,flag,id,n,x"),
])
def test_a_row_that_is_not_the_schemas_object_is_a_key_error(tmp_path, row, keys):
    found, _ = _load(tmp_path, GOOD, row)
    assert [f for f in found if f[0] == "key-error"] == [("key-error", None, 3, keys)]


@pytest.mark.parametrize("column, value, kind", [
    ("n", '"1"', "integer"), ("n", "1.5", "integer"), ("n", "true", "integer"),
    ("x", '"1.5"', "number"), ("flag", '"true"', "boolean"), ("flag", "1", "boolean"),
    ("id", "1", "string"), ("id", '["a"]', "string"),
    ("day", '"2008-13-01"', "date"), ("day", '"2008-5-1"', "date"), ("day", "20080501", "date"),
])
def test_a_value_of_the_wrong_json_type_or_a_bad_date_is_named(tmp_path, column, value, kind):
    row = GOOD.replace({"n": '"n": 1', "x": '"x": 1.5', "flag": '"flag": true', "id": '"id": "甲"',
                        "day": '"day": "2008-05-01"'}[column], f'"{column}": {value}')
    found, _ = _load(tmp_path, GOOD, row)
    assert found == [(f"type-error/{kind}", column, 3, value)]
