"""Rules of the files in a release (pipeline/publish/files.py, checksums.py, datapackage.py),
tested on small tables without a build: the bytes of each format, SHA256SUMS, the hash check and
the foreign keys declared to Frictionless. Expected values are written from the module docstrings."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.publish.checksums import sha256_file, write_sha256sums
from pipeline.publish.datapackage import _publishable_schema, check_file_hashes, validate_package
from pipeline.publish.files import csv_text, excel_csv_text, json_text, write_table_files


def small_table() -> pa.Table:
    return pa.table({"id": ["甲", "b,c"], "day": [dt.date(2008, 5, 1), None], "flag": [True, False],
                     "n": [1, None]})


def test_csv_has_a_header_quotes_only_when_needed_and_leaves_nulls_empty():
    assert csv_text(small_table()) == "id,day,flag,n\n甲,2008-05-01,true,1\n\"b,c\",,false,\n"


def test_the_excel_csv_ends_lines_with_crlf():
    assert excel_csv_text(small_table()) == "id,day,flag,n\r\n甲,2008-05-01,true,1\r\n\"b,c\",,false,\r\n"


def test_json_is_one_row_object_per_line_unescaped():
    assert json_text(small_table()) == (
        '[\n{"id": "甲", "day": "2008-05-01", "flag": true, "n": 1},\n'
        '{"id": "b,c", "day": null, "flag": false, "n": null}\n]\n')


def test_datetimes_are_written_in_iso_form():
    table = pa.table({"at": [dt.datetime(2008, 5, 1, 8, 30)]})
    assert csv_text(table) == "at\n2008-05-01T08:30:00\n"


def test_each_format_is_written_where_the_package_says(tmp_path):
    paths = write_table_files(tmp_path, "things", small_table())
    assert {fmt: path.relative_to(tmp_path).as_posix() for fmt, path in paths.items()} == {
        "csv": "csv/things.csv", "json": "json/things.json", "parquet": "parquet/things.parquet",
        "excel": "excel/things.csv"}
    assert paths["csv"].read_bytes() == csv_text(small_table()).encode("utf-8")
    # Excel on Chinese Windows needs the BOM and CRLF to show the text
    assert paths["excel"].read_bytes() == b"\xef\xbb\xbf" + excel_csv_text(small_table()).encode("utf-8")
    assert paths["json"].read_bytes() == json_text(small_table()).encode("utf-8")
    parquet = pq.ParquetFile(paths["parquet"])
    assert parquet.read().equals(small_table())
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    assert parquet.metadata.row_group(0).column(0).statistics is not None


def test_the_same_table_gives_the_same_bytes(tmp_path):
    first = write_table_files(tmp_path / "a", "things", small_table())
    second = write_table_files(tmp_path / "b", "things", small_table())
    assert all(first[fmt].read_bytes() == second[fmt].read_bytes() for fmt in first)


def test_sha256_of_a_file_larger_than_one_read(tmp_path):
    data = bytes(range(256)) * 8193  # over 2 MiB: three reads of 1 MiB
    (tmp_path / "big").write_bytes(data)
    assert sha256_file(tmp_path / "big") == hashlib.sha256(data).hexdigest()


def test_sha256sums_lists_every_file_but_itself_sorted_by_relative_path(tmp_path):
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "b.csv").write_bytes(b"b")
    (tmp_path / "a.json").write_bytes(b"a")
    (tmp_path / "SHA256SUMS").write_text("stale\n")
    target = write_sha256sums(tmp_path)
    assert target == tmp_path / "SHA256SUMS"
    assert target.read_text(encoding="utf-8") == (
        f"{hashlib.sha256(b'a').hexdigest()}  a.json\n{hashlib.sha256(b'b').hexdigest()}  csv/b.csv\n")


def test_a_file_whose_hash_differs_from_the_descriptor_is_named(tmp_path):
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "t.csv").write_bytes(b"right")
    (tmp_path / "csv" / "u.csv").write_bytes(b"changed")
    descriptor = {"resources": [
        {"path": "csv/t.csv", "hash": f"sha256:{hashlib.sha256(b'right').hexdigest()}"},
        {"path": "csv/u.csv", "hash": f"sha256:{hashlib.sha256(b'original').hexdigest()}"},
    ]}
    assert check_file_hashes(tmp_path, descriptor) == [
        f"csv/u.csv: hash sha256:{hashlib.sha256(b'changed').hexdigest()} differs from datapackage.json"]


def _schema(*foreign_keys: dict) -> dict:
    return {"fields": [{"name": "doc_id", "constraints": {"required": True}},
                       {"name": "section_id", "constraints": {"required": True}},
                       {"name": "parent_id"}],
            "foreignKeys": list(foreign_keys)}


def test_a_composite_foreign_key_is_declared_by_its_nullable_columns_alone():
    key = {"fields": ["doc_id", "parent_id"],
           "reference": {"resource": "", "fields": ["doc_id", "section_id"]}}
    assert _publishable_schema(_schema(key))["foreignKeys"] == [
        {"fields": ["parent_id"], "reference": {"resource": "", "fields": ["section_id"]}}]


def test_a_required_or_single_column_foreign_key_is_declared_as_it_is():
    required = {"fields": ["doc_id", "section_id"], "reference": {"resource": "sections",
                                                                  "fields": ["doc_id", "section_id"]}}
    single = {"fields": ["parent_id"], "reference": {"resource": "", "fields": ["section_id"]}}
    schema = _schema(required, single)
    assert _publishable_schema(schema) == schema


def test_a_schema_without_foreign_keys_is_left_alone():
    schema = {"fields": [{"name": "doc_id"}]}
    assert _publishable_schema(schema) == {"fields": [{"name": "doc_id"}]}


def _package(tmp_path, csv: str) -> None:
    (tmp_path / "things.csv").write_text(csv, encoding="utf-8")
    descriptor = {"name": "p", "resources": [{
        "name": "things", "type": "table", "path": "things.csv", "format": "csv", "encoding": "utf-8",
        "schema": {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                              {"name": "n", "type": "integer"}]}}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def test_a_valid_package_has_no_errors(tmp_path):
    _package(tmp_path, "id,n\na,1\nb,2\n")
    assert validate_package(tmp_path) == []


def test_each_bad_cell_is_one_error_naming_the_resource_and_row(tmp_path):
    _package(tmp_path, "id,n\na,1\n,2\nc,x\n")
    errors = validate_package(tmp_path)
    assert len(errors) == 2
    assert errors[0].startswith("things row 3: constraint-error: ")
    assert errors[1].startswith("things row 4: type-error: ")
