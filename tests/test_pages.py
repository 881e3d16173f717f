"""The static pages of a release: content, links, escaping, determinism and size."""
from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from pipeline.errors import PlanDataError
from pipeline.publish.checksums import sha256_file
from pipeline.schema import table_specs
from pipeline.site import DEFAULT_BASE_URL, base_url_notice, resolve_base_url, write_release_site
from pipeline.site.chart import chart_svg
from pipeline.publish.tables import read_tables as read_release_tables

NOTICE = "taizhou-anticorruption-2008-2012"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))
            if name == "id":
                self.ids.add(value)


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def release(built_release) -> Path:
    return (built_release / "latest").resolve()




def site_inputs(release: Path) -> tuple[dict, dict, list]:
    """The release's tables as finalize gives them (Arrow), its descriptor and its change log."""
    return (read_release_tables(release), json.loads((release / "datapackage.json").read_text(encoding="utf-8")),
            json.loads((release / "changes.json").read_text(encoding="utf-8")))


def test_release_page_has_every_section_the_issue_lists(release):
    page = release / "index.html"
    ids = parse(page).ids
    assert {"about", "cite", "downloads", "fields", "notices", "units", "unit-select", "quality", "changes",
            "snippets", "cite-plain", "cite-bibtex"} <= ids
    assert {f"table-{name}" for name in table_specs()} <= ids
    text = page.read_text(encoding="utf-8")
    assert 'href="../../index.html">所有版本 All releases' in text
    assert "中共台州市委" in text and "Creative Commons Attribution 4.0" in text
    assert "3fd8e3469fd24c8a2f028f5d45e3f261ba3cd9e37fd4fe0ac6a7fa0014362aee" in text  # the source's sha256
    assert 'pip install &quot;frictionless[json,parquet,pandas]&quot;' in text
    assert "@misc{" in text and "plandata sql --views views.sql" in text and "plan.duckdb" in text
    assert "pl.read_parquet" in text and "arrow::read_parquet" not in text  # polars in, R out (issue 17)
    assert 'href="notices/taizhou-anticorruption-2008-2012.html"' in text


def test_download_table_has_one_row_per_table_and_format_with_true_sizes_and_hashes(release):
    rows = re.findall(r'<a href="([^"]+)" data-sha256="([0-9a-f]*)" data-bytes="(\d+)">', (release / "index.html").read_text(encoding="utf-8"))
    paths = [path for path, _, _ in rows]
    for name in table_specs():
        for folder, suffix in (("csv", "csv"), ("excel", "csv"), ("json", "json"), ("parquet", "parquet")):
            where = f"{folder}/{name}.{suffix}"  # one whole file per table and format
            assert paths.count(where) == 1, where
    assert {"plan.duckdb", "views.sql", "changes.csv", "datapackage.json", "dcat.ttl"} <= set(paths)
    assert {f"downloads/{fmt}.zip" for fmt in ("csv", "excel", "json", "parquet")} <= set(paths)
    for path, digest, size in rows:
        assert int(size) == (release / path).stat().st_size, path
        if path != "plan.duckdb":
            assert digest == sha256_file(release / path), path
    counts = re.search(r'<a href="csv/tasks.csv"[^>]*>csv/tasks.csv</a></td><td>tasks</td><td>csv</td><td>(\d+)</td>',
                       (release / "index.html").read_text(encoding="utf-8"))
    assert counts and counts.group(1) == "50"


def test_every_link_is_relative_and_resolves_and_nothing_loads_from_the_network(release, built_release):
    pages = [release / "index.html", *sorted((release / "notices").glob("*.html"))]
    assert len(pages) == 2
    for page in pages:
        parsed = parse(page)
        for tag, attribute, value in parsed.links:
            parts = urlsplit(value)
            if parts.scheme == "data":
                continue  # inline, no request (the empty favicon)
            if parts.scheme:
                # Only plain links may leave the folder (the licence); nothing is loaded from afar.
                assert tag == "a" and attribute == "href", (page.name, value)
                continue
            if not parts.path:
                assert parts.fragment in parsed.ids, (page.name, value)
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), (page.name, value)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in parse(target).ids, (page.name, value)


def test_schema_org_dataset_is_embedded_with_the_required_properties(release):
    text = (release / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Dataset"
    assert 50 <= len(data["description"]) <= 5000
    for key in ("name", "license", "version", "creator", "temporalCoverage", "spatialCoverage"):
        assert data[key], key
    assert data["temporalCoverage"] == "2008/2012"
    downloads = {item["name"]: item for item in data["distribution"]}
    assert all(item["@type"] == "DataDownload" for item in downloads.values())
    tasks = downloads["parquet/tasks.parquet"]
    assert tasks["contentUrl"] == f"{DEFAULT_BASE_URL}releases/{release.name}/parquet/tasks.parquet"
    assert tasks["encodingFormat"] == "application/vnd.apache.parquet"
    assert tasks["contentSize"] == f"{(release / 'parquet/tasks.parquet').stat().st_size} B"


def test_notice_page_tree_has_every_section_and_task_with_units_by_role(release):
    page = (release / "notices" / f"{NOTICE}.html").read_text(encoding="utf-8")
    database = duckdb.connect(str(release / "plan.duckdb"), read_only=True)
    sections = [row[0] for row in database.execute("SELECT section_id FROM sections").fetchall()]
    tasks = [row[0] for row in database.execute("SELECT task_id FROM tasks").fetchall()]
    ids = parse(release / "notices" / f"{NOTICE}.html").ids
    assert {f"s-{s}" for s in sections} <= ids and {f"t-{t}" for t in tasks} <= ids
    # 三（六）: one block governs items 1–3, so its task sits on the section, after the items.
    block = page[page.index('id="s-3.6"'):]
    assert block.index('id="s-3.6.3"') < block.index('id="t-3.6"')
    task = page[page.index('id="t-2.1"'):]
    task = task[:task.index("</div></div>") + 12] if "</div></div>" in task else task
    lead = database.execute("SELECT string_agg(unit_label, '|' ORDER BY position) FROM assignments "
                            "WHERE task_id = '2.1' AND role = 'lead'").fetchone()[0].split("|")
    lead_block = page[page.index('id="t-2.1"'):].split('class="role role-co"')[0]
    assert re.findall(r'<li class="unit"[^>]*>([^<]+)</li>', lead_block) == lead


def test_chart_counts_match_sql_and_a_notice_without_chapters_is_charted_by_section(release):
    page = (release / "notices" / f"{NOTICE}.html").read_text(encoding="utf-8")
    database = duckdb.connect(str(release / "plan.duckdb"), read_only=True)
    expected = dict(database.execute(
        "SELECT split_part(t.section_id, '.', 1), count(DISTINCT t.task_id) FROM assignments a "
        "JOIN tasks t USING (doc_id, task_id) WHERE a.unit_label = '市纪委' AND a.role = 'lead' GROUP BY 1").fetchall())
    cells = re.findall(r'<g class="cell" data-unit="市纪委" data-column="([^"]+)" data-lead="(\d+)"', page)
    assert {column: int(lead) for column, lead in cells if lead != "0"} == expected
    assert 'data-axis="chapter"' in page
    sections = [{"section_id": "1", "parent_id": None, "level": 2, "label": "（一）", "heading": "甲"},
                {"section_id": "2", "parent_id": None, "level": 2, "label": "（二）", "heading": "乙"}]
    tasks = [{"task_id": "2", "section_id": "2"}]
    assignments = [{"task_id": "2", "role": "lead", "unit_id": None, "unit_label": "市财政局"}]
    svg = chart_svg("d", sections, tasks, assignments, {})
    assert 'data-axis="section"' in svg
    assert re.findall(r'data-column="([^"]+)" data-lead="(\d+)"', svg) == [("2", "1")]


def test_everything_from_a_notice_is_escaped(release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    tables, descriptor, changes = site_inputs(copy)
    tables = {name: table.to_pylist() for name, table in tables.items()}
    tables["sections"][1]["heading"] = HOSTILE
    tables["tasks"][0]["title"] = HOSTILE
    tables["assignments"][0]["unit_label"] = HOSTILE
    tables["assignments"][0]["unit_id"] = None
    tables["documents"][0]["title"] = HOSTILE + "</script>"
    write_release_site(copy, tables, descriptor, changes, copy.name, DEFAULT_BASE_URL)
    for path in [copy / "index.html", copy / "notices" / f"{NOTICE}.html", *(copy / "units").glob("*.js")]:
        text = path.read_text(encoding="utf-8")
        assert "<img" not in text and 'alert("x")</script>' not in text, path.name
    notice = (copy / "notices" / f"{NOTICE}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in notice


def test_pages_and_metadata_are_the_same_bytes_whatever_plan_duckdb_holds(release, tmp_path):
    outputs = []
    for run in range(2):
        copy = tmp_path / f"release{run}"
        shutil.copytree(release, copy)
        if run:
            data = bytearray((copy / "plan.duckdb").read_bytes())
            data[0] ^= 0xFF  # DuckDB's files differ in a few bytes between identical builds
            (copy / "plan.duckdb").write_bytes(bytes(data))
        written = write_release_site(copy, *site_inputs(copy), release.name, DEFAULT_BASE_URL)
        outputs.append({path.relative_to(copy).as_posix(): path.read_bytes() for path in written})
    assert outputs[0] == outputs[1]
    assert {"index.html", "views.sql", "dcat.ttl", "dcat.jsonld", f"notices/{NOTICE}.html", "assets/filter.js"} <= set(outputs[0])


def _scaled(tables: dict[str, list[dict]], copies: int) -> dict[str, list[dict]]:
    """The bundled notice as `copies` notices with their own doc_ids, sharing row values (light on memory)."""
    scaled = {name: rows for name, rows in tables.items() if not rows or "doc_id" not in rows[0]}
    for name, rows in tables.items():
        if name in scaled:
            continue
        scaled[name] = [{**row, "doc_id": f"notice-{copy:04d}"} for copy in range(copies) for row in rows]
    return scaled


@pytest.mark.scale
def test_each_page_stays_under_2_mb_at_1000_notices(release, tmp_path):
    from pipeline.render.arrow_rows import as_arrow
    from pipeline.site.build import render_release_page
    from pipeline.site.release_files import release_files
    from pipeline.site.units_index import collect_units

    tables, descriptor, changes = site_inputs(release)
    scaled = as_arrow(_scaled({name: table.to_pylist() for name, table in tables.items()}, 1000))
    page = render_release_page(scaled, descriptor, changes, release_files(release, {}), collect_units(scaled),
                               release.name, DEFAULT_BASE_URL, None)
    from pipeline.site.notice_list import LIST_PAGE_SIZE, notice_list_pages

    # The release page lists the first page of notices and links the rest, page by page.
    assert page.count('href="notices/notice-') == LIST_PAGE_SIZE == 500
    assert page.count('href="notice-list/') == 2
    assert len(page.encode("utf-8")) < 2_000_000
    documents = scaled["documents"].to_pylist()
    listed = [re.findall(r'href="../notices/(notice-\d+)\.html"', text)
              for text in notice_list_pages(documents, scaled, "t").values()]
    assert [len(found) for found in listed] == [500, 500] and len({*listed[0], *listed[1]}) == 1000
    # A notice page holds one notice only: its size does not grow with the release.
    assert (release / "notices" / f"{NOTICE}.html").stat().st_size < 2_000_000


def test_base_url_option_environment_placeholder_and_quality_line(monkeypatch):
    monkeypatch.delenv("PLANDATA_BASE_URL", raising=False)
    assert resolve_base_url() == DEFAULT_BASE_URL
    assert "placeholder" in base_url_notice(DEFAULT_BASE_URL)
    monkeypatch.setenv("PLANDATA_BASE_URL", "https://data.example.gov.cn/plan")
    assert resolve_base_url() == "https://data.example.gov.cn/plan/"
    assert resolve_base_url("https://other.example/x/") == "https://other.example/x/"
    assert base_url_notice("https://data.example.gov.cn/plan/") is None
    with pytest.raises(PlanDataError, match="--base-url 'ftp://x' is not an absolute http"):
        resolve_base_url("ftp://x")
