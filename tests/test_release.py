"""The published release: layout, DuckDB keys, Frictionless validity, determinism, committed outputs."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import table_file

from pipeline.publish.checksums import sha256_file
from pipeline.publish.files import FORMULA_STARTS
from pipeline.schema import table_specs

ROOT = Path(__file__).resolve().parent.parent
DETERMINISTIC = ("csv", "excel", "json", "parquet")
EXPECTED_ROWS = {"documents": 1, "sections": 91, "tasks": 50, "assignments": 533}


@pytest.fixture(scope="module")
def latest(built_release) -> Path:
    return built_release / "latest"


def test_layout(built_release, latest):
    assert latest.is_symlink() and os.readlink(latest).startswith("releases/0001-")
    # Every table is one whole file per format; no folder of shard files.
    for name in table_specs():
        for fmt in DETERMINISTIC:
            suffix = "csv" if fmt == "excel" else fmt
            path = f"{fmt}/{name}.{suffix}"
            assert (latest / path).is_file(), path
            assert list((latest / fmt).glob(f"{name}*")) == [latest / path]
    for fmt in DETERMINISTIC:
        assert (latest / "downloads" / f"{fmt}.zip").is_file()
        assert not [p for p in (latest / fmt).iterdir() if p.is_dir()]
    for name in ("datapackage.json", "plan.duckdb", "changes.csv", "changes.json", "quality.md", "SHA256SUMS",
                 "build-keys.json"):
        assert (latest / name).is_file(), name
    index = json.loads((built_release / "releases" / "index.json").read_text(encoding="utf-8"))
    [entry] = index["releases"]
    assert entry["release_id"] == os.readlink(latest).split("/")[-1] == index["latest"]
    assert entry["rows"]["assignments"] == 533 and entry["changes"] == {}
    assert list(entry["sources"]) == ["taizhou-anticorruption-2008-2012.txt", "units.csv", "unit_aliases.csv"]
    assert entry["sources"]["units.csv"] == sha256_file(ROOT / "sources" / "units.csv")
    assert entry["sources"]["unit_aliases.csv"] == sha256_file(ROOT / "sources" / "unit_aliases.csv")
    assert not list(built_release.glob(".staging-*"))


def test_readme_row_counts_match_the_release(latest):
    """The README's table of datasets gives each table's row count for the bundled notice."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## The datasets", 1)[1]
    counts = {name: int(rows) for name, rows in re.findall(r"^\| `(\w+)` \| (\d+) \|", readme, re.MULTILINE)}
    assert set(counts) == set(table_specs())
    with duckdb.connect(str(latest / "plan.duckdb"), read_only=True) as db:
        actual = {name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in counts}
    assert counts == actual


def test_first_release_has_empty_change_log(latest):
    assert (latest / "changes.csv").read_text(encoding="utf-8") == "entity,change,old_id,new_id,detail,doc_id,section_id,task_id,role,unit_label\n"
    assert json.loads((latest / "changes.json").read_text(encoding="utf-8")) == []


def test_duckdb_tables_keys_and_comments(latest):
    with duckdb.connect(str(latest / "plan.duckdb"), read_only=True) as db:
        for name, count in EXPECTED_ROWS.items():
            assert db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == count
        assert db.execute("SELECT count(DISTINCT unit_label) FROM assignments").fetchone()[0] == 69
        assert db.execute("SELECT issue_date, issuer FROM documents").fetchone() == (
            __import__("datetime").date(2008, 8, 11), "中共台州市委")
        uncommented = db.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE (comment IS NULL OR comment = '') "
            "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main')"
        ).fetchall()
        assert uncommented == []
        assert db.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = "
                          "'tasks' AND comment LIKE '任务编号 / Task id:%'").fetchone()[0] == 1
        constraints = {(t, c) for t, c in db.execute(
            "SELECT table_name, constraint_type FROM duckdb_constraints()").fetchall()}
        for name, spec in table_specs().items():
            if spec.primary_key:
                assert (name, "PRIMARY KEY") in constraints
            if spec.foreign_keys:
                assert (name, "FOREIGN KEY") in constraints
    copy = latest.parent / "keys-probe.duckdb"
    copy.write_bytes((latest / "plan.duckdb").read_bytes())
    try:
        with duckdb.connect(str(copy)) as db:
            with pytest.raises(duckdb.ConstraintException):
                db.execute("INSERT INTO sections SELECT * FROM sections WHERE section_id = '3.6'")
            with pytest.raises(duckdb.ConstraintException):
                db.execute("INSERT INTO assignments SELECT doc_id, '9.9', role, role_label, position, unit_label, "
                           "unit_id, line, table_column, source_sha256 FROM assignments LIMIT 1")
            with pytest.raises(duckdb.ConstraintException):
                db.execute("INSERT INTO sections SELECT doc_id, '9.1', '9', level, kind, ordinal, label, heading, body, "
                           "line_start, line_end, source_sha256 FROM sections WHERE section_id = '3.6'")
    finally:
        copy.unlink()


def test_views(latest):
    with duckdb.connect(str(latest / "plan.duckdb"), read_only=True) as db:
        row = db.execute("SELECT numbering, title, lead_units FROM task_breakdown WHERE task_id = '6.7.7'").fetchone()
        assert row == ("六、（七）7.", "加强对行业协会的引导、规范和监督管理", "市发改委、市民政局、市工商局")
        assert db.execute("SELECT count(*) FROM task_breakdown").fetchone()[0] == 50
        # Lead counts read off the notice: 市纪委 leads 19 of the 50 blocks.
        assert db.execute("SELECT tasks_led FROM unit_workload WHERE name = '市纪委'").fetchone()[0] == 19
        drafts = [r[0] for r in db.execute("SELECT document_title FROM drafting_commitments").fetchall()]
        assert "台州市关于推进行业协会改革发展的指导意见" in drafts


@pytest.mark.subprocess
def test_frictionless_cli_validates(latest):
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=latest,
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout[-2000:]
    assert report["valid"] is True
    assert not any(task.get("partial") for task in report["tasks"])
    assert len(report["tasks"]) == 3 * len(table_specs())


def test_every_hash_matches(latest):
    descriptor = json.loads((latest / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        assert resource["hash"] == "sha256:" + sha256_file(latest / resource["path"]), resource["path"]
    for line in (latest / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        assert sha256_file(latest / name) == digest, name


def test_formats_hold_the_same_rows(latest):
    for name in table_specs():
        csv_rows = list(csv.DictReader(io.StringIO(table_file(latest, name, "csv").read_text(encoding="utf-8"))))
        excel_bytes = table_file(latest, name, "excel").read_bytes()
        assert excel_bytes.startswith(b"\xef\xbb\xbf") and b"\r\n" in excel_bytes
        excel_rows = list(csv.DictReader(io.StringIO(excel_bytes.decode("utf-8-sig"), newline="")))
        json_rows = json.loads(table_file(latest, name, "json").read_text(encoding="utf-8"))
        parquet_rows = pq.read_table(table_file(latest, name, "parquet")).to_pylist()
        assert len(csv_rows) == len(json_rows) == len(parquet_rows) == len(excel_rows)
        # excel/ differs only by the formula guard: a leading ' on text a spreadsheet would run.
        assert [r.replace("\r\n", "\n") for row in excel_rows for r in row.values()] == \
               [("'" + r if r.startswith(FORMULA_STARTS) else r) for row in csv_rows for r in row.values()]
        as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in parquet_rows]
        assert as_text == [{k: "" if v is None else str(v) for k, v in row.items()} for row in json_rows]


def test_committed_outputs_equal_a_fresh_build(latest):
    """The committed outputs/latest must be what the current code builds from the bundled sources."""
    committed = ROOT / "outputs" / "latest"
    assert committed.is_symlink(), "outputs/latest is committed as a symlink to its release"
    built = sorted(p.relative_to(latest).as_posix() for fmt in DETERMINISTIC for p in (latest / fmt).rglob("*")
                   if p.is_file())  # whole tables and shard files
    assert len(built) == 4 * 10  # 10 tables (attachments and issuers added), one file each in four formats
    built.append("datapackage.json")
    different = [name for name in built
                 if not (committed / name).is_file() or (committed / name).read_bytes() != (latest / name).read_bytes()]
    assert different == [], "rebuild and commit outputs/ (plandata build), these differ: " + ", ".join(different)


def test_a_partial_validation_report_fails(latest, tmp_path):
    """More errors than frictionless reports (1,000) make a partial report: that is a failure too."""
    import shutil

    from pipeline.publish.datapackage import validate_package

    copy = tmp_path / "release"
    shutil.copytree(latest, copy, symlinks=False)
    path = table_file(copy, "assignments", "csv")
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    broken = [",".join(["x"] * len(header.split(",")))] * 1200
    path.write_text("\n".join([header, *broken]) + "\n", encoding="utf-8")
    errors = validate_package(copy)
    assert any("report is partial" in error and "reached error limit" in error for error in errors)
