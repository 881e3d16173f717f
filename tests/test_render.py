"""Untrusted notice text is escaped wherever it is rendered: Markdown, HTML-in-Markdown, SQL."""
from __future__ import annotations

import duckdb
import pytest

from pipeline.render.markdown import escape, table
from pipeline.render.quality import quality_report
from pipeline.schema import sql_identifier, sql_string

HOSTILE = ["<script>alert(1)</script>", "a | b", "**bold** _x_ `code`", "[link](javascript:x)",
           "line one\nline two", "\\", "~~strike~~", "&amp;"]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_markdown_has_no_live_syntax(text):
    out = escape(text)
    assert "<" not in out and ">" not in out and "\n" not in out
    for char in "|*_`[]~":
        assert out.count(char) == out.count("\\" + char), (char, out)


def test_table_cells_cannot_break_the_table():
    rendered = table(["a", "b"], [["x | y", "1\n2"]])
    assert rendered.splitlines()[2] == "| x \\| y | 1 ⏎ 2 |"


def test_quality_report_escapes_finding_text():
    tables = {"documents": [{"doc_id": "d", "title": "<b>标题</b>", "source_file": "x|y.txt",
                             "source_encoding": "utf-8", "source_sha256": "0" * 64}],
              "findings": [{"doc_id": "d", "line": 3, "kind": "unresolved_unit", "severity": "warning",
                            "value": "<img src=x onerror=alert(1)>", "message": "unit | evil"}]}
    from pipeline.render.arrow_rows import as_arrow
    from pipeline.render.quality import notice_quality

    report = quality_report(tables)
    assert "<img" not in report and "<b>" not in report
    assert "&lt;b&gt;标题&lt;/b&gt;" in report  # among the notices with most findings
    details = notice_quality(tables["documents"][0], as_arrow({"findings": tables["findings"]}))
    assert "<img" not in details and "<b>" not in details
    assert "&lt;img src=x onerror=alert(1)&gt;" in details and "unit \\| evil" in details


@pytest.mark.parametrize("text", ["it's", "'; DROP TABLE t; --", "中文'注释", "\\'"])
def test_sql_literals_round_trip(text):
    name = sql_identifier('we"ird')
    with duckdb.connect() as db:
        assert db.execute(f"SELECT {sql_string(text)}").fetchone()[0] == text
        db.execute(f"CREATE TABLE {name} (x INT)")
        db.execute(f"COMMENT ON TABLE {name} IS {sql_string(text)}")
        assert db.execute("SELECT comment FROM duckdb_tables()").fetchone()[0] == text


def test_quality_report_counts_unresolved_units_per_notice():
    from pipeline.render.arrow_rows import as_arrow
    from pipeline.render.quality import notice_quality
    from pipeline.site.notice_rows import ByNotice

    doc = {"doc_id": "a", "title": "甲", "source_file": "a.txt", "source_encoding": "utf-8",
           "source_sha256": "0" * 64, "jurisdiction": None}
    assignments = [{"doc_id": "a", "unit_label": label, "unit_id": unit_id}
                   for label, unit_id in (("市纪委", "jiwei"), ("广州市财政局", None), ("广州市财政局", None), ("某办", None))]
    other = [{"doc_id": "b", "unit_label": "x", "unit_id": None}]
    # The notice's own rows, as the site hands them over: b's rows are not a's.
    by_notice = ByNotice(as_arrow({"assignments": assignments + other, "tasks": [{"doc_id": "a"}, {"doc_id": "b"}]}))
    report = notice_quality(doc, {name: by_notice.slice(name, "a") for name in by_notice.names()})
    assert ("- sections: 0; tasks: 1; assignments: 4 (1 resolved to a registry unit, 3 unresolved); "
            "unresolved units: 2 distinct printed labels; citations: 0") in report
    assert "jurisdiction: unknown (national units only)" in report
