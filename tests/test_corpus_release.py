"""Issue 9's acceptance: the six corpus notices publish together with the bundled one in one release.

The corpus files are copied into a temporary sources folder for the build (never into the project).
Expected counts are the ones test_corpus.py types from reading each text."""
from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from conftest import NOTICE, copy_sources, shared_dir
from pipeline.orchestration.run import run_build

pytestmark = pytest.mark.corpus

# doc_id -> tasks, as read from each text (see test_corpus.SHAPES) and the bundled notice's 50.
TASKS = {"02-gov-zero-waste-city-pilot-2018": 39, "03-gov-bonded-zones-2019": 21,
         "04-gov-farm-machinery-2018": 18, "05-gov-employment-2018": 15,
         "06-gov-local-incentives-2018": 30, "07-gov-consumption-poverty-2018": 17,
         "taizhou-anticorruption-2008-2012": 50}


@pytest.fixture(scope="module")
def corpus_release(tmp_path_factory):
    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    for path in sorted((shared_dir() / "corpus").glob("*.txt")):
        shutil.copy(path, sources / path.name)
    outputs = tmp_path_factory.mktemp("outputs")
    outcome = run_build(sources, outputs)
    return outcome


def test_every_notice_publishes_in_one_release(corpus_release):
    assert corpus_release.new and corpus_release.release_id.startswith("0001-")
    with duckdb.connect(str(corpus_release.release_dir / "plan.duckdb"), read_only=True) as con:
        tasks = dict(con.execute("SELECT doc_id, count(*) FROM tasks GROUP BY ALL").fetchall())
        jurisdictions = dict(con.execute("SELECT doc_id, jurisdiction FROM documents").fetchall())
        errors = con.execute("SELECT count(*) FROM findings WHERE severity = 'error'").fetchone()[0]
    assert tasks == TASKS
    assert errors == 0
    assert jurisdictions == {doc_id: ("taizhou" if doc_id.startswith("taizhou") else "national") for doc_id in TASKS}


def test_the_release_describes_every_notice_and_validates(corpus_release):
    release = corpus_release.release_dir
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    notices = [source["path"] for source in descriptor["sources"] if source["path"].endswith(".txt")]
    assert len(notices) == 7 and f"sources/{NOTICE.name}" in notices
    pages = sorted(path.name for path in (release / "notices").glob("*.html"))
    assert pages == sorted(f"{doc_id}.html" for doc_id in TASKS)


def test_central_bodies_resolve_in_the_state_council_notices(corpus_release):
    """03 prints （海关总署、财政部、税务总局负责） and the like: national bodies, resolved in the national registry."""
    with duckdb.connect(str(corpus_release.release_dir / "plan.duckdb"), read_only=True) as con:
        unresolved = con.execute("SELECT count(*) FROM assignments WHERE doc_id LIKE '0%' AND unit_id IS NULL "
                                 "AND unit_label IN ('发展改革委', '财政部', '商务部', '海关总署')").fetchone()[0]
        resolved = con.execute("SELECT count(*) FROM assignments WHERE doc_id LIKE '0%' "
                               "AND unit_id IS NOT NULL").fetchone()[0]
    assert unresolved == 0 and resolved > 100
