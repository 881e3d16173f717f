"""quality.md and the release page from Arrow tables: notices left out by --skip-broken, stale notices."""
from __future__ import annotations

import json

import pyarrow as pa

from pipeline.render.quality import notice_quality, quality_report
from pipeline.site.notice_rows import ByNotice
from pipeline.schema import table_specs
from pipeline.site import DEFAULT_BASE_URL
from pipeline.publish.tables import read_tables as read_release_tables

STALE = "stale (previous release's rows: the amended text could not be read)"


def arrow(name: str, rows: list[dict]) -> pa.Table:
    """The table as finalize reads it: the schema's types, and schema metadata (as Parquet carries)."""
    return table_specs()[name].to_arrow(rows).replace_schema_metadata({"origin": "test"})


def document(doc_id: str, title: str) -> dict:
    return {"doc_id": doc_id, "title": title, "source_file": f"{doc_id}.txt", "source_encoding": "utf-8",
            "source_sha256": "0" * 64}


def with_stale(documents: pa.Table, flags: list[bool]) -> pa.Table:
    return documents.append_column("stale", pa.array(flags, pa.bool_()))


def test_notices_left_out_are_listed_escaped_before_the_findings():
    tables = {"documents": arrow("documents", [document("a", "甲")])}
    skipped = [{"file": "batch/x|y*.txt", "line": 12, "message": "<b>bad</b> heading `x`", "stale": False},
               {"file": "amended.txt", "line": None, "message": "cannot decode", "stale": True}]
    report = quality_report(tables, skipped=skipped)
    assert "<b>" not in report
    section = report[report.index("## Notices left out"):report.index("## Summary")]
    assert "| file | line | message | kept |" in section
    assert "| batch/x\\|y\\*.txt | 12 | &lt;b&gt;bad&lt;/b&gt; heading \\`x\\` | left out |" in section
    assert "| amended.txt |  | cannot decode | previous rows kept (stale) |" in section
    assert report.index("## Notices left out") < report.index("## Findings by kind")
    assert "## Notices left out" not in quality_report(tables)


def test_counts_per_notice_come_from_arrow_tables_whatever_their_row_order():
    assignments = [{"doc_id": doc_id, "task_id": "1", "role": "lead", "position": position, "unit_id": unit_id,
                    "unit_label": label}
                   for position, (doc_id, unit_id, label) in enumerate(
                       [("a", "jiwei", "市纪委"), ("b", None, "某办"), ("a", None, "广州市财政局"),
                        ("a", None, "广州市财政局"), ("b", "jiwei", "市纪委"), ("a", "", "空编号")])]
    tables = {"documents": arrow("documents", [document("a", "甲"), document("b", "乙")]),
              "assignments": arrow("assignments", assignments),
              "sections": arrow("sections", [{"doc_id": "b", "section_id": str(n)} for n in range(3)]),
              "citations": arrow("citations", [{"doc_id": "a"}])}
    report = quality_report(tables)
    summary = report[report.index("## Summary"):report.index("## Findings by kind")]
    assert ("- notices: 2 (0 stale); sections: 3; tasks: 0; assignments: 6 (2 resolved to a registry unit, "
            "4 unresolved); citations: 1; findings: 0") in summary
    assert "## 甲" not in report  # details per notice are in its own file
    by_notice = ByNotice(tables)
    part_a = notice_quality(document("a", "甲"), {name: by_notice.slice(name, "a") for name in by_notice.names()})
    part_b = notice_quality(document("b", "乙"), {name: by_notice.slice(name, "b") for name in by_notice.names()})
    assert part_a.startswith("# Quality: 甲\n") and part_b.startswith("# Quality: 乙\n")
    assert ("- sections: 0; tasks: 0; assignments: 4 (1 resolved to a registry unit, 3 unresolved); "
            "unresolved units: 2 distinct printed labels; citations: 1") in part_a
    assert ("- sections: 3; tasks: 0; assignments: 2 (1 resolved to a registry unit, 1 unresolved); "
            "unresolved units: 1 distinct printed labels; citations: 0") in part_b


def test_a_stale_notice_is_marked_in_quality_md():
    documents = with_stale(arrow("documents", [document("a", "甲"), document("b", "乙")]), [True, False])
    report = quality_report({"documents": documents})
    assert f"## Stale notices\n\n- **{STALE}**: [甲](<quality/a.md>)\n" in report
    assert "乙" not in report
    rows = documents.to_pylist()
    assert f"- **{STALE}**\n- doc_id: `a`" in notice_quality(rows[0], {})
    assert "stale" not in notice_quality(rows[1], {})
    assert "stale" not in quality_report({"documents": arrow("documents", [document("a", "甲")])}).replace("0 stale", "")


def test_quality_md_is_a_summary_and_each_notice_has_its_findings_in_its_own_file(built_release):
    release = (built_release / "latest").resolve()
    report = (release / "quality.md").read_text(encoding="utf-8")
    details = (release / "quality" / "taizhou-anticorruption-2008-2012.md").read_text(encoding="utf-8")
    findings = read_release_tables(release)["findings"]
    assert findings.num_rows == 3  # the notice page says "findings 3"
    assert f"## Findings ({findings.num_rows})" in details
    for message in findings["message"].to_pylist():
        assert message[:40] in details.replace("\\", "") and message[:40] not in report.replace("\\", "")
    assert "- [台州市建立健全惩治和预防腐败体系2008—2012年实施细则](<quality/taizhou-anticorruption-2008-2012.md>): 3 finding(s)" in report


def test_a_stale_notice_is_marked_on_the_release_page(built_release, tmp_path):
    from pipeline.site import write_release_site

    release = (built_release / "latest").resolve()
    tables = read_release_tables(release)
    stale = {**tables, "documents": with_stale(tables["documents"], [True])}
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    pages = []
    for number, release_tables in enumerate((tables, stale)):
        staging = tmp_path / str(number)
        staging.mkdir()
        write_release_site(staging, release_tables, descriptor, [], "r", DEFAULT_BASE_URL)
        pages.append((staging / "index.html").read_text(encoding="utf-8"))
    marked = '<span class="stale">stale (previous release&#x27;s rows: the amended text could not be read)</span>'
    assert marked not in pages[0]
    notices = pages[1][pages[1].index('<table class="notices">'):]
    row = notices[notices.index('<a href="notices/taizhou-anticorruption-2008-2012.html">'):]
    assert row[:row.index("</td>")].endswith(marked)
    # ...and listed near the top, in what changed, with a link to its page.
    assert '<li class="stale">' in pages[1] and '<li class="stale">' not in pages[0]
    assert pages[1].index('id="left-out"') < pages[1].index('id="about"')


def test_notices_left_out_by_skip_broken_are_on_the_release_page_escaped(built_release, tmp_path):
    from pipeline.site import write_release_site

    release = (built_release / "latest").resolve()
    tables = read_release_tables(release)
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    skipped = [{"file": "batch/<b>x</b>.txt", "line": 12, "message": "heading <i>bad</i>", "stale": False}]
    write_release_site(tmp_path, tables, descriptor, [], "r", DEFAULT_BASE_URL, skipped=skipped)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    left = page[page.index('id="left-out"'):page.index('id="about"')]
    assert "未收录 left out: batch/&lt;b&gt;x&lt;/b&gt;.txt (line 12) — heading &lt;i&gt;bad&lt;/i&gt;" in left
    assert "<b>" not in page and "<i>bad" not in page
