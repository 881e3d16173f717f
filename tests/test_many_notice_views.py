"""The analyst views and the README's queries on the seven-notice release (the bundled notice and the six of
../shared/corpus): chapters kept per notice, the breakdown one notice after the other, the workload ranked by
every role."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import NOTICE, copy_sources, shared_dir
from pipeline.orchestration.run import run_build
from readme_queries import sql_blocks

pytestmark = pytest.mark.corpus
BUNDLED = NOTICE.stem


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    for path in sorted((shared_dir() / "corpus").glob("0*.txt")):
        shutil.copy(path, sources / path.name)
    release = run_build(sources, tmp_path_factory.mktemp("outputs")).release_dir
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 7
        yield connection


def test_chapters_are_given_per_notice(db):
    rows = db.execute("SELECT unit_key, chapters FROM unit_workload").fetchall()
    notices = dict(db.execute("SELECT coalesce(unit_id, 'unresolved:' || unit_label), list(DISTINCT doc_id ORDER BY doc_id) "
                              "FROM assignments GROUP BY ALL").fetchall())
    several = 0
    for unit_key, chapters in rows:
        parts = chapters.split("; ")
        assert [part.split(": ")[0] for part in parts] == notices[unit_key], unit_key
        several += len(parts) > 1
    assert several > 0  # some unit works in more than one notice
    # The bundled notice's part is what its own release says: 市纪委 in chapters 二 to 七 (README).
    chapters = dict(rows)["cpc-discipline"]
    assert f"{BUNDLED}: 2,3,4,5,6,7" in chapters.split("; ")


def test_the_breakdown_goes_notice_by_notice(db):
    for query in ["SELECT doc_id, seq FROM task_breakdown",
                  next(block for block in sql_blocks() if "任务分解表" in block or "string_agg" in block)]:
        keys = [(row[0], row[1]) for row in db.execute(query).fetchall()]
        assert keys == sorted(keys), query
        assert len({doc_id for doc_id, _ in keys}) == 7


def test_the_workload_and_the_readme_rank_by_every_role(db):
    totals = [row[0] for row in db.execute("SELECT tasks_total FROM unit_workload").fetchall()]
    assert totals == sorted(totals, reverse=True)
    ranking = next(block for block in sql_blocks() if "carries" in block or "count(DISTINCT (a.doc_id" in block)
    counted = [row[1] for row in db.execute(ranking).fetchall()]
    assert counted == sorted(counted, reverse=True) and counted[0] == totals[0]
    # A unit with the same task_id in two notices counts both tasks.
    by_hand = db.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM (SELECT DISTINCT a.unit_label, a.doc_id, "
                         "a.task_id FROM assignments a WHERE a.unit_id IS NULL) GROUP BY unit_label)").fetchone()[0]
    assert by_hand <= counted[0]


def test_every_readme_sql_block_runs_on_many_notices(db):
    for query in sql_blocks():
        db.execute(query).fetchall()
