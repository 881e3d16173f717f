"""Golden tests of the bundled notice: expected values come from reading the notice, not from the parser.

How tests/golden/taizhou_expected.json was made:
  * sections and the tasks' lead/co lists were typed by reading the notice (earlier work);
  * the tasks' section_id, line_start, line_end and text (issue 8): the span of each of the 50
    tasks (first and last line of its provision text, last line of its unit block) was typed by
    hand from ``nl -ba`` of the notice; a one-off script then copied the notice's own lines in
    that span into ``text`` (no parser involved) and checked that the line after the text is a
    牵头单位 line. The parser's output was compared with the result afterwards and agreed on
    all 50 rows; nothing was copied from it.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.core.notice import parse_notice

GOLDEN = json.loads((Path(__file__).parent / "golden" / "taizhou_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables(notice_bytes, registry):
    return parse_notice(notice_bytes, "taizhou-anticorruption-2008-2012.txt", registry).tables


def units(tables, task_id, role):
    rows = [r for r in tables["assignments"] if r["task_id"] == task_id and r["role"] == role]
    return [r["unit_label"] for r in sorted(rows, key=lambda r: r["position"])]


def test_counts(tables):
    sections = tables["sections"]
    assert sum(1 for s in sections if s["level"] == 1) == 8
    assert sum(1 for s in sections if s["level"] == 2) == 42
    assert sum(1 for s in sections if s["level"] == 3) == 41
    assert len(sections) == 91
    assert len(tables["tasks"]) == 50
    assert len(tables["assignments"]) == 533
    assert len({r["unit_label"] for r in tables["assignments"]}) == 69


def test_document_header(tables):
    [doc] = tables["documents"]
    assert doc["issue_date"] == dt.date(2008, 8, 11)
    assert doc["issuer"] == "中共台州市委"
    assert doc["title"] == "台州市建立健全惩治和预防腐败体系2008—2012年实施细则"
    assert doc["notice_title"] == "关于印发《台州市建立健全惩治和预防腐败体系2008—2012年实施细则》的通知"
    # line 3, without its final colon
    assert doc["addressees"] == ("各县、市、区党委，市委各部门，市级国家机关各部门党委（党组），在台省部属各单位党委"
                                 "（党组），市属各企事业单位党组织，各人民团体党组")
    assert (doc["period_start"], doc["period_end"]) == (2008, 2012)
    assert doc["preamble"].startswith("为全面贯彻党的十七大")
    assert doc["notice_body"].startswith("现将《台州市建立健全")
    assert doc["doc_id"] == "taizhou-anticorruption-2008-2012"
    assert doc["source_encoding"] == "utf-8"


@pytest.mark.parametrize("expected", GOLDEN["sections"], ids=lambda s: s["section_id"])
def test_every_section(tables, expected):
    by_id = {s["section_id"]: s for s in tables["sections"]}
    got = by_id[expected["section_id"]]
    assert {key: got[key] for key in expected} == expected


def test_section_order(tables):
    assert [s["section_id"] for s in tables["sections"]] == [s["section_id"] for s in GOLDEN["sections"]]


TASK_COLUMNS = ("task_id", "section_id", "seq", "line_start", "line_end", "text")


@pytest.mark.parametrize("expected", GOLDEN["tasks"], ids=lambda t: t["task_id"])
def test_every_task(tables, expected):
    by_id = {t["task_id"]: t for t in tables["tasks"]}
    task = by_id[expected["task_id"]]
    assert {key: task[key] for key in TASK_COLUMNS} == {key: expected[key] for key in TASK_COLUMNS}
    assert units(tables, expected["task_id"], "lead") == expected["lead"]
    assert units(tables, expected["task_id"], "co") == expected["co"]


def test_task_order(tables):
    assert [t["task_id"] for t in tables["tasks"]] == [t["task_id"] for t in GOLDEN["tasks"]]


def test_shared_block_attaches_to_section(tables):
    """三（六）: items 1–3 share one block, so the task is the section's."""
    task = next(t for t in tables["tasks"] if t["task_id"] == "3.6")
    assert task["section_id"] == "3.6" and task["label"] == "（六）"
    assert task["text"].splitlines()[0].startswith("1.健全廉政廉情工作网络。")
    assert task["text"].splitlines()[-1].startswith("3.建立廉情预警机制。")
    assert (task["line_start"], task["line_end"]) == (59, 63)
    assert units(tables, "3.6", "lead") == ["市纪委"]
    assert units(tables, "3.6", "co") == ["市委组织部", "市公安局", "市人民检察院", "市信访局", "市财政局",
                                          "市人事局", "市审计局", "市统计局", "市外事办", "市纠风办"]
    assert not any(t["task_id"].startswith("3.6.") for t in tables["tasks"])


def test_items_with_own_blocks(tables):
    """五（一）1–3 each end with their own block."""
    assert units(tables, "5.1.1", "lead") == ["市纪委", "市委组织部"]
    assert units(tables, "5.1.2", "lead") == ["市纪委", "市委办", "市外事办"]
    assert units(tables, "5.1.2", "co")[-5:] == ["市外经贸局", "市审计局", "市科技局", "市国资委", "市旅游局"]
    assert len(units(tables, "5.1.2", "co")) == 16
    assert units(tables, "5.1.3", "lead") == ["市纪委"]
    assert units(tables, "5.1.3", "co") == ["市委办", "市人大办", "市府办", "市政协办", "市委组织部", "市委宣传部"]
    task = next(t for t in tables["tasks"] if t["task_id"] == "5.1.2")
    assert task["text"].startswith("2.加强党政机关作风建设。") and "\n" not in task["text"]


def test_misprinted_label(tables):
    """六（三）2 prints 政协单位 where 协办单位 is meant."""
    rows = [r for r in tables["assignments"] if r["task_id"] == "6.3.2" and r["role"] == "co"]
    assert [r["unit_label"] for r in rows] == ["市纪委", "市委办", "市府办", "市委组织部", "市监察局",
                                               "市审计局", "市国资委"]
    assert {r["role_label"] for r in rows} == {"政协单位"}
    assert {r["line"] for r in rows} == {160}
    findings = [f for f in tables["findings"] if f["kind"] == "misprinted_label"]
    assert [(f["line"], f["value"], f["severity"]) for f in findings] == [(160, "政协单位", "warning")]


def test_continuation_paragraph(tables):
    """六（七）1 has an unnumbered second paragraph (line 181) before its block."""
    task = next(t for t in tables["tasks"] if t["task_id"] == "6.7.1")
    assert task["text"].count("\n") == 1
    assert task["text"].splitlines()[1].startswith("推动全市统一的招投标信息系统建设")
    assert units(tables, "6.7.1", "lead") == ["市府办", "市发改委", "市招管办"]
    assert units(tables, "6.7.1", "co")[0] == "市监察局" and units(tables, "6.7.1", "co")[-1] == "市法制办"


def test_bracketed_unit_is_one_label(tables):
    co = units(tables, "6.7.8", "co")
    assert "市财政（地税）局" in co and "市财政" not in co and "地税）局" not in co
    assert len(co) == 23  # line 204, counted by hand


def test_chapters_one_and_eight_have_no_task(tables):
    assert not [t for t in tables["tasks"] if t["task_id"].split(".")[0] in ("1", "8")]


def test_body_excludes_children_and_unit_lines(tables):
    by_id = {s["section_id"]: s for s in tables["sections"]}
    assert by_id["3.6"]["body"] is None  # its text is all in items 1–3
    assert by_id["3.3"]["body"].count("\n") == 1  # two paragraphs (lines 46–47)
    assert "牵头单位：" not in "".join(s["body"] or "" for s in tables["sections"])
    assert by_id["3.6.2"]["body"].startswith("探索建立科学的廉情评价办法")
    assert by_id["8.1"]["heading"] == "加强领导" and by_id["8.1"]["body"].startswith("各级党委是")
