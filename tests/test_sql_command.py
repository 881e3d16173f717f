"""`plandata sql`: read-only queries over plan.duckdb (or a release's views.sql from any folder), printed as
a table with the notices' control characters escaped; the change log as a table of plan.duckdb."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import NOTICE, copy_sources
from pipeline.cli import main
from pipeline.orchestration.run import run_build
from pipeline.render.terminal_table import escape, format_table

DOC_ID = NOTICE.stem


def _sql(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["sql", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_query_prints_a_table(built_release, capsys):
    code, out, _ = _sql(capsys, "--outputs", str(built_release),
                        "SELECT name, tasks_led FROM unit_workload WHERE name IN ('市纪委', '市府办') ORDER BY name")
    assert code == 0
    lines = out.splitlines()
    # 市纪委 leads 19 tasks and 市府办 10 (README's data dictionary and test_release).
    assert lines[0].split() == ["name", "tasks_led"]
    assert [line.split() for line in lines[2:4]] == [["市府办", "10"], ["市纪委", "19"]]
    assert lines[-1] == "(2 rows)"


def test_control_characters_never_reach_the_terminal(built_release, capsys):
    code, out, _ = _sql(capsys, "--outputs", str(built_release),
                        "SELECT 'a' || chr(27) || ']0;owned' || chr(7) || chr(8238) || 'b' || chr(10) || 'c' AS x")
    assert code == 0
    assert "a\\x1b]0;owned\\x07\\u202eb\\nc" in out
    assert not any(ord(char) < 32 and char != "\n" or char == "\u202e" for char in out)


def test_escape_and_alignment_by_display_width():
    assert escape("市\t纪委\\x1b\x9b") == "市\\t纪委\\\\x1b\\x9b"  # a backslash in the text is doubled
    lines = format_table(["name", "n"], [("市纪委", 1), ("ab", None)]).splitlines()
    assert lines == ["name    n", "------  ----", "市纪委  1", "ab      NULL", "(2 rows)"]


def test_the_database_is_read_only(built_release, capsys):
    database = built_release / "latest" / "plan.duckdb"
    before = database.read_bytes()
    code, out, err = _sql(capsys, "--database", str(database), "CREATE TABLE notes AS SELECT 1 AS x")
    assert code == 1 and out == ""
    assert err.startswith("error: query failed: ") and len(err.splitlines()) == 1 and "read-only" in err
    assert database.read_bytes() == before


def test_no_database_is_one_line_naming_the_file(tmp_path, capsys):
    code, _, err = _sql(capsys, "--outputs", str(tmp_path), "SELECT 1")
    assert code == 1
    assert err.splitlines() == [f"error: {tmp_path / 'latest' / 'plan.duckdb'}: no database here: build a release "
                                "first, or give --outputs or --database"]


def test_without_a_query_statements_are_read_until_quit(built_release, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "SELECT count(*) AS n\nFROM tasks;\nSELECT nope;\nSELECT 'after' AS x;\n.quit\nSELECT 'never';\n"))
    code, out, err = _sql(capsys, "--outputs", str(built_release))
    assert code == 1  # one statement failed; the ones after it still ran
    assert out.split("\n(1 row)\n")[:2] == ["n\n--\n50", "x\n-----\nafter"]
    assert "never" not in out
    assert err.count("error: query failed:") == 1


def test_views_sql_runs_from_another_folder_and_says_so_first(built_release, tmp_path, monkeypatch, capsys):
    release = (built_release / "latest").resolve()
    first = (release / "views.sql").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("-- Run from any folder: plandata sql --views ")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _sql(capsys, "--views", str(release / "views.sql"),
                        "SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM changes) AS changes")
    assert code == 0
    assert out.splitlines()[2].split() == ["50", "0"]
    code, out, _ = _sql(capsys, "--views", str(built_release / "history.sql"), "SELECT count(*) FROM tasks")
    assert code == 0 and out.splitlines()[2] == "50"


def test_the_change_log_is_a_table_of_plan_duckdb_with_its_ids_split(tmp_path, capsys):
    sources = copy_sources(tmp_path / "sources")
    outputs = tmp_path / "outputs"
    first = run_build(sources, outputs).release_dir
    with duckdb.connect(str(first / "plan.duckdb"), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
    text = NOTICE.read_text(encoding="utf-8")
    # Line 30: 市委宣传部 no longer leads （三）深入推进廉政文化建设 (task 2.3).
    lines = text.split("\n")
    assert lines[27] == "（三）深入推进廉政文化建设" and lines[29] == "牵头单位：市纪委、市委宣传部"
    lines[29] = "牵头单位：市纪委"
    (sources / NOTICE.name).write_text("\n".join(lines), encoding="utf-8")
    second = run_build(sources, outputs).release_dir
    with duckdb.connect(str(second / "plan.duckdb"), read_only=True) as db:
        rows = db.execute("SELECT entity, change, doc_id, section_id, task_id, role, unit_label FROM changes "
                          "WHERE entity = 'assignment'").fetchall()
        comment = db.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'changes' "
                             "AND column_name = 'role'").fetchone()[0]
    assert rows == [("assignment", "removed", DOC_ID, "", "2.3", "lead", "市委宣传部")]
    assert comment.startswith("角色 / Role: ")
    published = json.loads((second / "changes.json").read_text(encoding="utf-8"))
    assert [row for row in published if row["entity"] == "assignment"][0]["unit_label"] == "市委宣传部"
    # Outside the datapackage's resources, like changes.csv and changes.json.
    descriptor = json.loads((second / "datapackage.json").read_text(encoding="utf-8"))
    assert not [r for r in descriptor["resources"] if "changes" in r["name"] or "changes" in str(r.get("path"))]
    # views.sql gives the same rows from the release's changes.csv.
    code, out, _ = _sql(capsys, "--views", str(second / "views.sql"), "--full",
                        "SELECT task_id, role, unit_label FROM changes WHERE entity = 'assignment'")
    assert out.splitlines()[2].split() == ["2.3", "lead", "市委宣传部"]
