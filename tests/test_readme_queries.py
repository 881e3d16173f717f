"""Every query in the README's code blocks runs against a built release: the `plandata sql` lines of the
```sh blocks (from a folder holding the release as outputs/) and every ```sql block."""
from __future__ import annotations

import duckdb
import pytest

from pipeline.cli import main
from readme_queries import plandata_sql_calls, sql_blocks


def test_the_readme_has_the_queries_it_documents():
    calls = plandata_sql_calls()
    assert len(calls) >= 5 and len(sql_blocks()) >= 4
    assert any("--views" in call for call in calls)
    assert not any("duckdb -" in block for block in sql_blocks())


@pytest.fixture(scope="module")
def analyst_folder(built_release, tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyst")
    (folder / "outputs").symlink_to(built_release)
    return folder


@pytest.mark.parametrize("arguments", plandata_sql_calls(), ids=lambda call: call[-1][:40])
def test_every_plandata_sql_line_runs(arguments, analyst_folder, monkeypatch, capsys):
    monkeypatch.chdir(analyst_folder)
    assert main(["sql", *arguments]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.splitlines()[-1].endswith(("row)", "rows)"))


@pytest.mark.parametrize("query", sql_blocks(), ids=lambda query: query.splitlines()[0][:40])
def test_every_sql_block_runs(query, built_release):
    with duckdb.connect(str(built_release / "latest" / "plan.duckdb"), read_only=True) as db:
        rows = db.execute(query).fetchall()
    # A first release's change log is empty; every other query finds rows in the bundled notice.
    assert rows or "FROM changes" in query
