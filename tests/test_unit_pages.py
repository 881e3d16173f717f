"""Unit pages (units/<file>.html) and the search index (search-index/*.js), without a browser."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipeline.site import DEFAULT_BASE_URL, unit_pages, write_release_site
from pipeline.site.search_index import SEPARATOR, search_files, shard_of, task_texts
from pipeline.site.unit_pages import unit_page_path
from pipeline.publish.tables import read_tables as read_release_tables
from tests.test_notice_page_reuse import as_notices
from tests.test_pages import HOSTILE

RELEASE_ID = "20260101T000000Z-aaaaaaaa"
UNIT_ID = "supervision-bureau"  # 市监察局


@pytest.fixture(scope="module")
def release(built_release) -> Path:
    return (built_release / "latest").resolve()


@pytest.fixture(scope="module")
def bundled(release):
    return read_release_tables(release), json.loads((release / "datapackage.json").read_text(encoding="utf-8"))


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr data-task="([^"]+)">', page)


def sql(release: Path, query: str, *params):
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as con:
        return con.execute(query, list(params)).fetchall()


def test_a_unit_page_counts_roles_then_partners_then_lists_every_task(release):
    page = (release / unit_page_path(UNIT_ID)).read_text(encoding="utf-8")
    tasks = sql(release, "SELECT DISTINCT doc_id || '/' || task_id FROM assignments WHERE unit_id = ?", UNIT_ID)
    assert sorted(rows_of(page)) == sorted(row[0] for row in tasks)
    for role, count in sql(release, "SELECT role, count(DISTINCT task_id) FROM assignments WHERE unit_id = ? "
                                    "GROUP BY role", UNIT_ID):
        assert re.search(rf"<td>[^<]* {role}</td><td>{count}</td>", page), role
    shared = sql(release, "SELECT count(DISTINCT b.task_id) FROM assignments a JOIN assignments b USING (doc_id, task_id) "
                          "WHERE a.unit_id = ? AND coalesce(b.unit_id, b.unit_label) <> a.unit_id "
                          "GROUP BY coalesce(b.unit_id, b.unit_label) ORDER BY 1 DESC LIMIT 1", UNIT_ID)[0][0]
    partners = page[page.index('id="partners"'):page.index('id="tasks"')]
    assert re.search(r"<tbody>\n<tr><td><a href=\"[^\"]+\">[^<]+</a></td><td>[^<]*</td><td>(\d+)</td>",
                     partners).group(1) == str(shared)
    assert page.index('id="roles"') < page.index('id="partners"') < page.index('id="tasks"')
    # Each row links to its task's anchor and to the pages of the task's units.
    assert f'href="../notices/taizhou-anticorruption-2008-2012.html#t-' in page
    assert 'href="audit-bureau.html">市审计局</a>' in page


def test_a_label_no_registry_unit_resolves_gets_a_page_and_its_text_is_escaped(bundled, tmp_path):
    tables, descriptor = bundled
    assignments = tables["assignments"].to_pylist()
    assignments[0].update(unit_label=HOSTILE, unit_id=None)
    assignments[1].update(unit_label="甲/乙 ../x", unit_id=None)
    tables = {**tables, "assignments": pa.Table.from_pylist(assignments, schema=tables["assignments"].schema)}
    write_release_site(tmp_path, tables, descriptor, [], RELEASE_ID, DEFAULT_BASE_URL)
    hostile = tmp_path / unit_page_path("label:" + HOSTILE)
    assert re.fullmatch(r"units/label-[0-9a-f]{16}\.html", unit_page_path("label:甲/乙 ../x"))
    page = hostile.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert rows_of(page) == [f"{assignments[0]['doc_id']}/{assignments[0]['task_id']}"]
    assert (tmp_path / unit_page_path("label:甲/乙 ../x")).is_file()
    # The pages of the task's other units link to the label's page.
    other = next(row for row in assignments[2:] if row["task_id"] == assignments[0]["task_id"] and row["unit_id"])
    assert f'href="{hostile.name}"' in (tmp_path / unit_page_path(other["unit_id"])).read_text(encoding="utf-8")


def test_a_unit_page_pages_its_tasks_under_the_byte_budget(bundled, tmp_path, monkeypatch):
    tables, descriptor = bundled
    monkeypatch.setattr(unit_pages, "PAGE_BUDGET", 4000)
    write_release_site(tmp_path, as_notices(tables, ["a", "b"]), descriptor, [], RELEASE_ID, DEFAULT_BASE_URL)
    first = (tmp_path / unit_page_path(UNIT_ID)).read_text(encoding="utf-8")
    count = len(set(re.findall(r'<a href="supervision-bureau-(\d+)\.html">', first))) + 1
    assert count >= 3
    seen = []
    for number in range(1, count + 1):
        path = tmp_path / unit_page_path(UNIT_ID, number)
        page = path.read_text(encoding="utf-8")
        body = page[page.index("<tbody>"):page.index("</tbody>")]
        assert len(body.encode("utf-8")) <= 4000 + 1000  # one row may cross the budget
        assert ('id="roles"' in page) == (number == 1)
        seen += rows_of(page)
    assert not (tmp_path / unit_page_path(UNIT_ID, count + 1)).exists()
    assert len(seen) == len(set(seen)) == 80  # 40 tasks in each of the two copies


def test_an_unchanged_unit_page_keeps_its_key_and_a_changed_one_does_not(bundled, tmp_path):
    """The key decides whether finalize hard-links the previous release's page instead of writing it."""
    tables, descriptor = bundled
    first = as_notices(tables, ["a", "b"])
    rows = first["tasks"].to_pylist()
    task = next(row for row in rows if row["doc_id"] == "b" and row["task_id"] == "2.1")
    task["title"] = "一项改过的任务"
    second = {**first, "tasks": pa.Table.from_pylist(rows, schema=first["tasks"].schema)}
    keys = []
    for number, release_tables in enumerate((first, second)):
        placed: dict[str, str] = {}

        def place(relative, key, produce, placed=placed, staging=tmp_path / str(number)):
            placed[relative] = key
            produce(staging / relative)

        write_release_site(tmp_path / str(number), release_tables, {**descriptor, "version": str(number) * 64}, [],
                           f"2026010{number + 1}T000000Z-aaaaaaaa", DEFAULT_BASE_URL, place=place, doc_keys={})
        keys.append({path: key for path, key in placed.items() if path.startswith("units/")})
    changed = {path for path in keys[0] if keys[0][path] != keys[1][path]}
    named = {row["unit_id"] or "label:" + row["unit_label"] for row in first["assignments"].to_pylist()
             if row["doc_id"] == "b" and row["task_id"] == "2.1"}
    assert keys[0].keys() == keys[1].keys() and changed == {unit_page_path(key) for key in named}


def _load(text: str) -> dict:
    """plandataSearchShard(<n>,<json>);"""
    return json.loads(text.split(",", 1)[1].rsplit(");", 1)[0])


def _matches(files: dict[str, str], query: str) -> set[int]:
    """search.js's matching, done in Python over the written files."""
    index = json.loads(files["search-index/index.js"].removeprefix("plandataSearchIndex(").rsplit(");", 1)[0])
    lists = []
    for i in range(len(query) - 1):
        bigram = query[i:i + 2]
        shard = _load(files[f"search-index/b{shard_of(bigram, index['shards'])}.js"])
        flat = shard.get(bigram, [])
        lists.append(set(zip(flat[::2], flat[1::2])))
    return {task for task, position in lists[0]
            if all((task, position + i) in lists[i] for i in range(1, len(lists)))}


def test_the_index_finds_a_query_inside_one_field_never_across_two(bundled, monkeypatch):
    tables, _ = bundled
    monkeypatch.setattr("pipeline.site.search_index.SHARD_POSTINGS", 500)  # many shards
    monkeypatch.setattr("pipeline.site.search_index.BATCH", 7)  # postings made 7 tasks at a time
    documents = tables["documents"].to_pylist()
    files = dict(search_files(tables, documents))
    texts = task_texts(tables, documents)
    fields = {number: text.split(SEPARATOR) for number, text in zip(texts["number"], texts["search"])}
    title, text = fields[0][0], fields[0][1]
    assert len([name for name in files if name.startswith("search-index/b")]) > 8
    across = title[-2:] + text[:2]  # the end of task 0's title and the start of its text
    for query in ("市监察局", "财政", "监督", "反腐倡廉", across, "不在此文之中的字"):
        wanted = {number for number, parts in fields.items() if any(query in part for part in parts)}
        assert _matches(files, query) == wanted, query
    assert _matches(files, "财政") and _matches(files, "不在此文之中的字") == set()


def test_a_rebuild_hard_links_the_unit_pages_whose_bytes_did_not_change(tmp_path):
    """Task 2.1's title is amended: the pages of its 7 units change, every other unit page is the
    previous release's file (same inode), and no page with new bytes is a link."""
    import os

    from conftest import NOTICE, copy_sources
    from pipeline.orchestration.run import run_build

    text = NOTICE.read_text(encoding="utf-8")
    outputs = tmp_path / "outputs"
    first = run_build(copy_sources(tmp_path / "sources"), outputs).release_dir
    amended = text.replace("认真开展党性党风党纪专题教育", "认真开展党性党风党纪主题教育", 1)
    assert amended != text
    second = run_build(copy_sources(tmp_path / "sources", amended), outputs).release_dir
    linked, written = 0, 0
    for page in sorted((second / "units").glob("*.html")):
        old = first / "units" / page.name
        same = old.is_file() and old.read_bytes() == page.read_bytes()
        assert (old.is_file() and os.stat(old).st_ino == os.stat(page).st_ino) == same, page.name
        linked, written = linked + same, written + (not same)
    assert written == 7 and linked > 50
