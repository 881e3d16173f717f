"""The release pages in a real browser: Debian's Chromium driven headless by Playwright.

Screenshots are saved under tests/artifacts/ (ignored by git)."""
from __future__ import annotations

import hashlib
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT
from tests.test_pages import HOSTILE, NOTICE, site_inputs

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "artifacts"
UNIT = "市监察局"
CHANGES = [{"entity": "task", "change": "text_changed", "old_id": "2.1", "new_id": "2.1", "detail": "-「甲」 +「乙」"},
           {"entity": "assignment", "change": "added", "old_id": "", "new_id": "2.1/co/市财政局", "detail": "+ 市财政局"}]
PHONE, DESKTOP = 390, 1280


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(built_release, tmp_path_factory):
    """The built outputs, plus a copy of the release whose notice carries HTML, on 127.0.0.1."""
    from pipeline.site import DEFAULT_BASE_URL, write_release_site

    root = tmp_path_factory.mktemp("site")
    shutil.copytree(built_release, root / "outputs", symlinks=True)
    release = (root / "outputs" / "latest").resolve()
    hostile = root / "hostile"
    shutil.copytree(release, hostile)
    tables, descriptor, changes = site_inputs(hostile)
    tables = {name: table.to_pylist() for name, table in tables.items()}
    tables["sections"][1]["heading"] = HOSTILE
    tables["tasks"][0]["title"] = HOSTILE
    tables["assignments"][0]["unit_label"] = HOSTILE
    tables["assignments"][0]["unit_id"] = None
    write_release_site(hostile, tables, descriptor, changes, release.name, DEFAULT_BASE_URL)
    # A release whose change log names task 2.1 of the notice (changed) and a removed task.
    changed = root / "changed"
    shutil.copytree(release, changed)
    write_release_site(changed, *site_inputs(changed)[:2], CHANGES, "changed", DEFAULT_BASE_URL, release.name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}/", "release": release,
               "release_url": f"http://127.0.0.1:{server.server_address[1]}/outputs/releases/{release.name}/",
               "hostile_url": f"http://127.0.0.1:{server.server_address[1]}/hostile/",
               "changed_url": f"http://127.0.0.1:{server.server_address[1]}/changed/",
               "outputs_url": f"http://127.0.0.1:{server.server_address[1]}/outputs/index.html"}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: apt-get update && apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


class Visit:
    """A page that records console errors, dialogs and every request leaving the local server."""

    def __init__(self, browser, served, javascript: bool = True, width: int = DESKTOP):
        self.context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 844})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("request", lambda request: None if request.url.startswith((served["url"], "file://"))
                     else self.foreign.append(request.url))

    def close(self):
        assert self.errors == [] and self.foreign == [] and self.dialogs == []
        self.context.close()


@pytest.fixture
def visit(browser, served):
    visits = []

    def open_page(url: str, javascript: bool = True, width: int = DESKTOP) -> Visit:
        visits.append(Visit(browser, served, javascript, width))
        visits[-1].page.goto(url)
        return visits[-1]

    yield open_page
    for item in visits:
        item.close()


def sql(release: Path, query: str):
    return duckdb.connect(str(release / "plan.duckdb"), read_only=True).execute(query).fetchall()


def test_notice_tree_shows_every_section_and_task_and_folds(served, visit):
    page = visit(served["release_url"] + f"notices/{NOTICE}.html").page
    release = served["release"]
    assert page.locator("details.node").count() == sql(release, "SELECT count(*) FROM sections")[0][0]
    assert page.locator(".task").count() == sql(release, "SELECT count(*) FROM tasks")[0][0]
    item = page.locator("#s-3\\.6\\.2")
    assert item.is_visible()
    page.locator("#s-3 > summary").click()
    assert not item.is_visible()
    page.locator("#s-3 > summary").click()
    assert item.is_visible()
    lead = page.locator("#t-2\\.1 .role-lead li.unit").all_inner_texts()
    assert lead == [row[0] for row in sql(release, "SELECT unit_label FROM assignments "
                                                   "WHERE task_id = '2.1' AND role = 'lead' ORDER BY position")]


def _pick_unit(page, name: str) -> int:
    value = page.locator(f'#unit-select option[data-name="{name}"]').get_attribute("value")
    page.select_option("#unit-select", value)
    page.wait_for_selector("#unit-count")
    return int(page.locator("#unit-count").get_attribute("data-count"))


def test_unit_filter_shows_as_many_tasks_as_sql_counts(served, visit):
    page = visit(served["release_url"] + "index.html").page
    expected = sql(served["release"], "SELECT count(DISTINCT a.doc_id || '/' || a.task_id) FROM assignments a "
                                      f"LEFT JOIN units u USING (unit_id) WHERE coalesce(u.name, a.unit_label) = '{UNIT}'")
    shown = _pick_unit(page, UNIT)
    assert shown == expected[0][0] > 0
    assert page.locator("table.unit-tasks tbody tr").count() == shown
    first = page.locator("table.unit-tasks tbody tr a").nth(1)
    first.click()
    page.wait_for_load_state()
    assert f"notices/{NOTICE}.html#t-" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.go_back()
    _pick_unit(page, UNIT)
    page.locator("#units").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "release-page-unit-filter.png"))


def test_unit_filter_works_from_file_urls(served, visit):
    page = visit((served["release"] / "index.html").as_uri()).page
    assert _pick_unit(page, UNIT) > 0


def test_chart_has_a_cell_per_unit_and_chapter_pair(served, visit):
    page = visit(served["release_url"] + f"notices/{NOTICE}.html").page
    chart = page.locator("svg.chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    pairs = sql(served["release"], "SELECT count(DISTINCT (coalesce(a.unit_id, a.unit_label), split_part(t.section_id, '.', 1))) "
                                   "FROM assignments a JOIN tasks t USING (doc_id, task_id)")[0][0]
    assert chart.locator("g.cell").count() == pairs
    assert chart.locator("rect.bar").count() >= pairs
    ARTIFACTS.mkdir(exist_ok=True)
    chart.screenshot(path=str(ARTIFACTS / "notice-chart.png"))


def test_every_download_link_resolves_to_the_stated_bytes_and_sha256(served, visit):
    page = visit(served["release_url"] + "index.html").page
    links = page.locator("table.downloads a[data-bytes]")
    assert links.count() >= 32
    for index in range(links.count()):
        link = links.nth(index)
        url = served["release_url"] + link.get_attribute("href")
        response = page.request.get(url)
        assert response.status == 200, url
        body = response.body()
        assert len(body) == int(link.get_attribute("data-bytes")), url
        stated = link.get_attribute("data-sha256")
        if stated:
            assert hashlib.sha256(body).hexdigest() == stated, url


def test_content_is_there_with_javascript_disabled(served, visit):
    page = visit(served["release_url"] + "index.html", javascript=False).page
    assert page.locator("table.notices tbody tr").count() == 1
    assert page.locator("table.downloads tbody tr").count() >= 32
    assert page.locator("table.busiest tbody tr").count() > 0
    assert page.locator("#cite-bibtex").inner_text().startswith("@misc{")
    assert not page.locator("#unit-filter").is_visible()
    notice = visit(served["release_url"] + f"notices/{NOTICE}.html", javascript=False).page
    assert notice.locator(".task").count() == 50 and notice.locator("svg.chart g.cell").count() > 0


def test_html_in_a_heading_shows_as_text(served, visit):
    item = visit(served["hostile_url"] + f"notices/{NOTICE}.html")
    page = item.page
    assert HOSTILE in page.locator("#s-1\\.1 > summary").inner_text()
    assert page.locator("img").count() == 0
    index = visit(served["hostile_url"] + "index.html")
    value = index.page.locator("#unit-select option", has_text="<script>").get_attribute("value")
    index.page.select_option("#unit-select", value)
    index.page.wait_for_selector("#unit-count")
    assert HOSTILE in index.page.locator("#unit-count").inner_text()
    assert HOSTILE in index.page.locator("table.unit-tasks").inner_text()
    assert index.page.locator("img").count() == 0


PAGE_KINDS = {"release": "release_url", "notice": "release_url", "outputs": "outputs_url", "changed-release": "changed_url"}


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_no_page_kind_scrolls_sideways_and_each_is_photographed(served, visit, kind, width):
    url = served[PAGE_KINDS[kind]]
    if kind == "notice":
        url += f"notices/{NOTICE}.html"
    elif kind != "outputs":
        url += "index.html"
    for javascript in (True, False):
        page = visit(url, javascript=javascript, width=width).page
        page.wait_for_load_state("load")
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width, (kind, width, javascript, scroll_width)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{kind}-{width}.png"), full_page=False)


def test_the_chart_scrolls_inside_its_frame_at_phone_width(served, visit):
    page = visit(served["release_url"] + f"notices/{NOTICE}.html", width=PHONE).page
    frame = page.locator(".chart-frame")
    frame.scroll_into_view_if_needed()
    sizes = frame.evaluate("node => [node.scrollWidth, node.clientWidth]")
    assert sizes[0] > sizes[1] and sizes[1] <= PHONE
    assert page.locator("svg.chart text.count").count() == page.locator("svg.chart rect.bar").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    frame.screenshot(path=str(ARTIFACTS / "notice-chart-390.png"))


def test_a_change_links_to_its_task_which_the_notice_page_marks(served, visit):
    item = visit(served["changed_url"] + "index.html", width=PHONE)
    page = item.page
    changes_top = page.locator("#changes").bounding_box()["y"]
    assert changes_top < page.locator("#about").bounding_box()["y"]
    page.locator(f'#changes a[href="notices/{NOTICE}.html#t-2.1"]').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"notices/{NOTICE}.html#t-2.1")
    mark = page.locator("#t-2\\.1 .changed-mark")
    mark.wait_for()
    assert mark.inner_text() == "本版变更 changed: 文字修改 text changed、新增 added"
    assert page.locator(".task.changed").count() == 1
    assert page.locator("#changed-summary").inner_text().startswith("本版变更 1 处")
    page.locator("#t-2\\.1").screenshot(path=str(ARTIFACTS / "notice-changed-task-390.png"))
    # The same page in the release without changes marks nothing, and says so.
    plain = visit(served["release_url"] + f"notices/{NOTICE}.html").page
    plain.locator("#changed-summary").wait_for()
    assert plain.locator(".changed-mark").count() == 0
    assert plain.locator("#changed-summary").inner_text().startswith("本版无变更")


def test_every_page_of_the_seven_notice_release_fits_a_phone(browser, tmp_path):
    """The six corpus notices with the bundled one (a 30-chapter notice among them): no page scrolls
    sideways at 390 px, and the 30-chapter chart heads all 30 columns inside its own frame."""
    from pipeline.orchestration.run import run_build
    from tests.conftest import copy_sources, shared_dir

    corpus = sorted((shared_dir() / "corpus").glob("*.txt"))
    sources = copy_sources(tmp_path / "sources")
    for path in corpus:
        shutil.copy(path, sources / path.name)
    release = run_build(sources, tmp_path / "outputs").release_dir
    context = browser.new_context(viewport={"width": PHONE, "height": 844})
    page = context.new_page()
    try:
        pages = [release / "index.html", *sorted((release / "notices").glob("*.html"))]
        assert len(pages) == 8
        for path in pages:
            page.goto(path.as_uri())
            assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE, path.name
        page.goto((release / "notices" / "06-gov-local-incentives-2018.html").as_uri())
        assert page.locator("svg.chart text.col:not(.total)").count() == 30
        frame = page.locator(".chart-frame")
        assert frame.evaluate("node => node.scrollWidth > node.clientWidth")
        ARTIFACTS.mkdir(exist_ok=True)
        frame.screenshot(path=str(ARTIFACTS / "notice-30-chapters-390.png"))
    finally:
        context.close()
