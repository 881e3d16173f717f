"""Unit pages and search in a real browser, on the seven-notice release (the bundled notice and the
six corpus notices): search finds exactly what DuckDB's LIKE '%q%' finds over the same columns,
from http:// and from file://, and neither page kind scrolls sideways at 390 px.

Screenshots are saved under tests/artifacts/ (ignored by git)."""
from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import ThreadingHTTPServer

import duckdb
import pytest

from conftest import copy_sources, shared_dir
from pipeline.orchestration.run import run_build
from pipeline.site.unit_pages import unit_page_path
from tests.test_browser import ARTIFACTS, QuietHandler, Visit, browser  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

UNIT = "市监察局"  # a registry unit of the bundled notice
INSIDE = "财政"  # inside 市财政局, and in many tasks' text
HEADING = "贫困地区"  # in the headings of parts 2 to 5 of the consumption-poverty notice
QUERIES = (UNIT, INSIDE, HEADING)

# The columns search covers: a task's title and text, the headings of its section and of the
# sections above it, and each of its units' printed label and registry name.
MATCHING = """
WITH RECURSIVE up(doc_id, section_id, ancestor) AS (
    SELECT doc_id, section_id, section_id FROM sections
    UNION ALL
    SELECT up.doc_id, up.section_id, s.parent_id FROM up JOIN sections s
      ON s.doc_id = up.doc_id AND s.section_id = up.ancestor WHERE s.parent_id IS NOT NULL)
SELECT DISTINCT t.doc_id || '/' || t.task_id FROM tasks t
WHERE t.title LIKE $q OR t.text LIKE $q
   OR EXISTS (SELECT 1 FROM up JOIN sections s ON s.doc_id = up.doc_id AND s.section_id = up.ancestor
              WHERE up.doc_id = t.doc_id AND up.section_id = t.section_id AND s.heading LIKE $q)
   OR EXISTS (SELECT 1 FROM assignments a LEFT JOIN units u USING (unit_id)
              WHERE a.doc_id = t.doc_id AND a.task_id = t.task_id AND (a.unit_label LIKE $q OR u.name LIKE $q))
"""


@pytest.fixture(scope="module")
def seven(tmp_path_factory):
    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    for path in sorted((shared_dir() / "corpus").glob("*.txt")):
        shutil.copy(path, sources / path.name)
    outcome = run_build(sources, tmp_path_factory.mktemp("outputs"))
    release = outcome.release_dir
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(release)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"release": release, "url": f"http://127.0.0.1:{server.server_address[1]}/"}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def visit(browser, seven):  # noqa: F811
    visits = []
    served = {"url": seven["url"]}

    def open_page(url: str) -> Visit:
        visits.append(Visit(browser, served))
        visits[-1].page.goto(url)
        return visits[-1]

    yield open_page
    for item in visits:
        item.close()


def expected(release, query: str) -> set[str]:
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as con:
        return {row[0] for row in con.execute(MATCHING, {"q": f"%{query}%"}).fetchall()}


def searched(page, query: str) -> tuple[int, set[str]]:
    page.fill("#search-input", query)
    page.click("#search-form button")
    page.wait_for_selector(f'#search-count:text("{query}")')
    count = int(page.locator("#search-count").get_attribute("data-count"))
    rows = page.locator("table.search-results tbody tr")
    return count, {rows.nth(i).get_attribute("data-task") for i in range(rows.count())}


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_what_like_finds(seven, visit, query):
    wanted = expected(seven["release"], query)
    assert len(wanted) > 1
    count, shown = searched(visit(seven["url"] + "search.html").page, query)
    assert count == len(wanted) and shown == wanted


def test_search_works_from_file_urls_and_loads_only_some_shards(seven, visit):
    item = visit((seven["release"] / "search.html").as_uri())
    loaded = []
    item.page.on("request", lambda request: loaded.append(request.url.rsplit("/", 1)[-1]))
    count, shown = searched(item.page, INSIDE)
    assert count == len(expected(seven["release"], INSIDE)) and shown
    shards = [name for name in loaded if name.startswith("b")]
    assert len(shards) == 1 and len(list((seven["release"] / "search-index").glob("b*.js"))) > 1


def test_a_heading_word_finds_the_tasks_under_the_heading(seven, visit):
    """Task 3.4 (打通供应链条) of the consumption-poverty notice sits under part 三, headed
    大力拓宽贫困地区农产品流通和销售渠道; its own title and text do not hold 拓宽贫困地区."""
    query = "拓宽贫困地区"
    with duckdb.connect(str(seven["release"] / "plan.duckdb"), read_only=True) as con:
        own = con.execute("SELECT title || text FROM tasks WHERE doc_id = '07-gov-consumption-poverty-2018' "
                          "AND task_id = '3.4'").fetchone()[0]
    assert query not in own
    count, shown = searched(visit(seven["url"] + "search.html").page, query)
    assert "07-gov-consumption-poverty-2018/3.4" in shown
    assert count == len(expected(seven["release"], query))


def test_unit_page_lists_every_task_of_the_unit(seven, visit):
    release = seven["release"]
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as con:
        unit_id = con.execute("SELECT unit_id FROM units WHERE name = ?", [UNIT]).fetchone()[0]
        tasks = {row[0] for row in con.execute(
            "SELECT DISTINCT doc_id || '/' || task_id FROM assignments WHERE unit_id = ?", [unit_id]).fetchall()}
        leads = con.execute("SELECT count(DISTINCT (doc_id, task_id)) FROM assignments "
                            "WHERE unit_id = ? AND role = 'lead'", [unit_id]).fetchone()[0]
    page = visit(seven["url"] + unit_page_path(unit_id)).page
    rows = page.locator("table.unit-tasks tbody tr")
    assert {rows.nth(i).get_attribute("data-task") for i in range(rows.count())} == tasks
    assert page.locator("table.unit-roles tr", has_text="lead").locator("td").nth(1).inner_text() == str(leads)
    assert page.locator("table.unit-partners tbody tr").count() > 0
    link = rows.first.locator("td").nth(1).locator("a")
    link.click()
    page.wait_for_load_state()
    assert "/notices/" in page.url and "#t-" in page.url


def test_unit_pages_and_search_fit_a_phone(seven, visit):
    ARTIFACTS.mkdir(exist_ok=True)
    release = seven["release"]
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as con:
        label = con.execute("SELECT unit_label FROM assignments WHERE unit_id IS NULL ORDER BY ALL LIMIT 1").fetchone()[0]
        unit_id = con.execute("SELECT unit_id FROM units WHERE name = ?", [UNIT]).fetchone()[0]
    pages = {"unit": unit_page_path(unit_id), "unit-label": unit_page_path("label:" + label), "search": "search.html"}
    for width in (390, 1280):
        for name, path in pages.items():
            item = visit(seven["url"] + path)
            item.page.set_viewport_size({"width": width, "height": 900})
            if name == "search":
                searched(item.page, INSIDE)
            assert item.page.evaluate("document.scrollingElement.scrollWidth") <= width, (name, width)
            item.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
