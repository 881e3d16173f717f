"""Empty tables and null cells publish in every format and pass `frictionless validate`.

A notice without findings, 《…》 titles or assignment blocks gives empty tables; a notice
without a year range in its title gives a null period. Both must still publish."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.extraction.extract import extract
from pipeline.publish.assemble import write_data_files, write_plan_database
from pipeline.schema import table_specs
from pipeline.sources.discovery import read_sources
from conftest import table_file, SOURCES


EMPTIED = ("findings", "citations", "assignments")


@pytest.fixture(scope="module")
def bundled_tables() -> dict[str, pa.Table]:
    return extract(*read_sources(SOURCES))


def _frictionless_validate(directory: Path) -> dict:
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=directory,
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    invalid = [(task["name"], task["errors"][:1]) for task in report["tasks"] if not task["valid"]]
    assert result.returncode == 0 and report["valid"], invalid or report["errors"]
    assert not any(task.get("partial") for task in report["tasks"])
    assert len(report["tasks"]) == 3 * len(table_specs())
    return report


def _publish(directory: Path, tables: dict[str, pa.Table]) -> dict:
    descriptor = write_data_files(directory, tables)
    write_plan_database(directory, tables)
    return descriptor


@pytest.mark.subprocess
def test_empty_tables_publish_in_every_format_and_validate(bundled_tables, tmp_path):
    tables = {name: table.slice(0, 0) if name in EMPTIED else table for name, table in bundled_tables.items()}
    descriptor = _publish(tmp_path, tables)
    _frictionless_validate(tmp_path)
    for name in EMPTIED:
        columns = table_specs()[name].columns
        assert json.loads(table_file(tmp_path, name, "json").read_text(encoding="utf-8")) == []
        assert table_file(tmp_path, name, "csv").read_text(encoding="utf-8") == ",".join(columns) + "\n"
        assert table_file(tmp_path, name, "excel").read_bytes() == \
            b"\xef\xbb\xbf" + ",".join(columns).encode() + b"\r\n"
        parquet = pq.read_table(table_file(tmp_path, name, "parquet"))
        assert parquet.num_rows == 0 and parquet.column_names == columns
        [json_resource] = [r for r in descriptor["resources"] if r["table"] == name and r["format"] == "json"]
        assert json_resource["schema"]["fields"] == table_specs()[name].table_schema()["fields"]
    with duckdb.connect(str(tmp_path / "plan.duckdb"), read_only=True) as db:
        for name in EMPTIED:
            assert db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM task_breakdown").fetchone()[0] == 50


def test_an_empty_json_resource_still_fails_on_a_wrong_hash(bundled_tables, tmp_path):
    from frictionless import Package

    tables = {name: table.slice(0, 0) if name == "findings" else table for name, table in bundled_tables.items()}
    write_data_files(tmp_path, tables)
    package = Package(str(tmp_path / "datapackage.json"))
    name = "findings-json"
    assert package.get_resource(name).validate().valid
    table_file(tmp_path, "findings", "json").write_text("[\n]\n\n", encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).get_resource(name).validate()
    assert report.flatten(["type"]) == [["hash-count"]]


def _nullable(name: str) -> list[str]:
    return [f["name"] for f in table_specs()[name].fields if not f.get("constraints", {}).get("required")]


@pytest.mark.subprocess
def test_every_nullable_column_publishes_nulls_in_every_format(bundled_tables, tmp_path):
    """The first row of each table gets a null in every nullable column, integers included
    (documents.period_start, findings.line); documents has one row, so its columns are all null."""
    tables = {}
    for name, spec in table_specs().items():
        if not _nullable(name):  # attachments: every column is required, and the bundled notice has none
            tables[name] = bundled_tables[name]
            continue
        rows = bundled_tables[name].to_pylist()
        rows[0].update({column: None for column in _nullable(name)})
        tables[name] = spec.to_arrow(rows)
    assert {"period_start", "period_end", "issue_date"} <= set(_nullable("documents"))
    assert "line" in _nullable("findings")
    _publish(tmp_path, tables)
    _frictionless_validate(tmp_path)
    for name in table_specs():
        columns = _nullable(name)
        if not columns:
            continue
        csv_row = next(csv.DictReader(io.StringIO(table_file(tmp_path, name, "csv").read_text(encoding="utf-8"))))
        excel_row = next(csv.DictReader(io.StringIO(table_file(tmp_path, name, "excel").read_bytes()
                                                    .decode("utf-8-sig"), newline="")))
        json_row = json.loads(table_file(tmp_path, name, "json").read_text(encoding="utf-8"))[0]
        parquet_row = pq.read_table(table_file(tmp_path, name, "parquet")).slice(0, 1).to_pylist()[0]
        assert {c: csv_row[c] for c in columns} == {c: excel_row[c] for c in columns} == dict.fromkeys(columns, "")
        assert {c: json_row[c] for c in columns} == {c: parquet_row[c] for c in columns} == \
            dict.fromkeys(columns, None), name
    with duckdb.connect(str(tmp_path / "plan.duckdb"), read_only=True) as db:
        assert db.execute("SELECT period_start, period_end, issue_date FROM documents").fetchone() == \
            (None, None, None)
        assert db.execute("SELECT count(*) FROM findings WHERE line IS NULL").fetchone()[0] == 1


def test_the_bundled_notice_with_its_three_oddities_corrected_builds(tmp_path):
    """Issue 8's report: correct the misprint 政协单位 and print the two aliases under their registry
    names, and the notice has no finding left; the build must still publish."""
    from pipeline.orchestration.run import run_build
    from conftest import NOTICE, copy_sources

    text = NOTICE.read_text(encoding="utf-8")
    for printed, corrected in (("政协单位：", "协办单位："), ("、市外贸局、", "、市外经贸局、"),
                               ("市财政（地税）局", "市财政局")):
        assert text.count(printed) == 1
        text = text.replace(printed, corrected)
    outcome = run_build(copy_sources(tmp_path / "sources", text), tmp_path / "outputs")
    assert outcome.new and outcome.index_entry["rows"]["findings"] == 0
    assert outcome.index_entry["rows"]["assignments"] == 533
    release = tmp_path / "outputs" / "latest"
    # The build's blocking check ran Frictionless on the release; only the empty file is checked here.
    assert json.loads(table_file(release, "findings", "json").read_text(encoding="utf-8")) == []
