"""views.sql gives plan.duckdb's tables and views over the Parquet files; history.sql spans every release."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.schema import table_specs


def _catalogue(connection) -> dict[str, list[tuple[str, str]]]:
    names = [row[0] for row in connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
    return {name: connection.execute(f'SELECT column_name, data_type FROM information_schema.columns '
                                     f"WHERE table_name = '{name}' ORDER BY ordinal_position").fetchall()
            for name in names}


@pytest.fixture(scope="module")
def release(built_release) -> Path:
    return (built_release / "latest").resolve()


def test_views_sql_gives_plan_duckdb_tables_and_views_with_the_same_columns_and_rows(release, monkeypatch):
    monkeypatch.chdir(release)  # the Parquet paths are relative to the release folder
    views = duckdb.connect()
    views.execute((release / "views.sql").read_text(encoding="utf-8"))
    database = duckdb.connect(str(release / "plan.duckdb"), read_only=True)
    expected = _catalogue(database)
    assert set(expected) >= set(table_specs()) | {"task_breakdown", "unit_workload", "drafting_commitments", "ledger"}
    assert _catalogue(views) == expected
    for name in expected:
        query = f'FROM "{name}" ORDER BY ALL'
        assert views.execute(query).fetchall() == database.execute(query).fetchall(), name


def test_views_sql_comments_every_column_from_the_schema(release, monkeypatch):
    monkeypatch.chdir(release)
    views = duckdb.connect()
    views.execute((release / "views.sql").read_text(encoding="utf-8"))
    comment = views.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'tasks' "
                            "AND column_name = 'task_id'").fetchone()[0]
    assert comment.startswith("任务编号 / Task id: ")


def _fake_second_release(outputs: Path) -> tuple[str, str]:
    """A copy of the first release as a second one, with 10 tasks and a documents column added later."""
    index = json.loads((outputs / "releases" / "index.json").read_text(encoding="utf-8"))
    first = index["releases"][0]["release_id"]
    second = "0002-" + "f" * 8
    target = outputs / "releases" / second
    shutil.copytree(outputs / "releases" / first, target)
    tasks_file = target / "parquet" / "tasks.parquet"
    tasks = pq.read_table(tasks_file)
    pq.write_table(tasks.slice(0, 10), tasks_file)
    documents_file = target / "parquet" / "documents.parquet"
    documents = pq.read_table(documents_file)
    pq.write_table(documents.append_column("added_later", pa.array(["台委〔2008〕1号"] * documents.num_rows)),
                   documents_file)
    (target / "changes.csv").write_text("entity,change,old_id,new_id,detail\ntask,removed,2.5,,（五）x\n",
                                        encoding="utf-8")
    index["releases"].append({**index["releases"][0], "release_id": second, "previous": first,
                              "changes": {"task removed": 1}})
    index["latest"] = second
    (outputs / "releases" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return first, second


def test_history_sql_spans_every_release_with_release_id_and_later_columns(built_release, tmp_path, monkeypatch):
    from pipeline.site import write_outputs_index

    outputs = tmp_path / "outputs"
    shutil.copytree(built_release, outputs, symlinks=True)
    first, second = _fake_second_release(outputs)
    write_outputs_index(outputs)
    monkeypatch.chdir(outputs)
    history = duckdb.connect()
    history.execute((outputs / "history.sql").read_text(encoding="utf-8"))
    assert dict(history.execute("SELECT release_id, count(*) FROM tasks GROUP BY 1").fetchall()) == {first: 50, second: 10}
    assert history.execute("SELECT release_id, added_later FROM documents ORDER BY 1").fetchall() == [
        (first, None), (second, "台委〔2008〕1号")]
    assert history.execute("SELECT release_id, change, old_id FROM changes").fetchall() == [(second, "removed", "2.5")]
    assert history.execute("SELECT count(DISTINCT release_id) FROM assignments").fetchone() == (2,)


def test_a_build_writes_the_outputs_index_and_history(built_release):
    page = (built_release / "index.html").read_text(encoding="utf-8")
    release_id = json.loads((built_release / "releases" / "index.json").read_text(encoding="utf-8"))["latest"]
    assert f'href="releases/{release_id}/index.html"' in page
    assert f"'releases/{release_id}/parquet/tasks.parquet'" in (built_release / "history.sql").read_text(encoding="utf-8")
