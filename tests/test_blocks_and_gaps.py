"""Issue 8: what follows an assignment block, and the ids that follow a numbering gap.

Each case edits the bundled notice at a place chosen by reading it (line numbers are the
notice's own, see ``nl -ba sources/taizhou-anticorruption-2008-2012.txt``):

* 三（六） (line 58) has items 1–3 (lines 59–61) sharing one block (lines 62–63); 三（七） is line 64.
* 二（一） (line 20) has no items: text line 21, block lines 22–23; 二（二） follows on line 24.
* 五（一） (line 104) has items 1–3 with their own blocks: 105–107, 108–110, 111–113.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from core_helpers import notice_lines, original, parse_lines  # noqa: E402

PARAGRAPH = "各县（市、区）要参照本条抓好落实。"


def inserted(after: int, *new_lines: str) -> list[str]:
    lines = notice_lines()
    lines[after:after] = list(new_lines)
    return lines


def deleted(first: int, last: int) -> list[str]:
    lines = notice_lines()
    del lines[first - 1:last]
    return lines


def by_id(rows, table: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in rows.tables[table]}


def units(rows, task_id: str) -> list[tuple[str, str, str, int]]:
    return [(row["role"], row["role_label"], row["unit_label"], row["position"])
            for row in rows.tables["assignments"] if row["task_id"] == task_id]


def check_notice_lines():
    lines = notice_lines()
    assert lines[57] == "（六）探索建立廉政廉情评价办法" and lines[60].startswith("3.建立廉情预警机制。")
    assert lines[61] == "牵头单位：市纪委" and lines[63] == "（七）发挥纪委组织、协调作用"
    assert lines[19] == "（一）认真开展党性党风党纪专题教育" and lines[22].startswith("协办单位：")
    assert lines[23] == "（二）深化领导干部反腐倡廉教育"


# -- text after a shared block -----------------------------------------------------------------

def test_text_after_a_shared_block_belongs_to_the_section_not_to_the_last_item():
    check_notice_lines()
    rows = parse_lines(inserted(63, PARAGRAPH))  # new line 64, between the block and 三（七）
    sections = by_id(rows, "sections", "section_id")
    before = by_id(original(), "sections", "section_id")
    assert before["3.6"]["body"] is None  # all of 三（六）'s text is in its items
    assert sections["3.6"]["body"] == PARAGRAPH
    assert (sections["3.6"]["line_start"], sections["3.6"]["line_end"]) == (58, 64)
    assert sections["3.6.3"]["body"] == before["3.6.3"]["body"] and PARAGRAPH not in sections["3.6.3"]["body"]
    assert (sections["3.6.3"]["line_start"], sections["3.6.3"]["line_end"]) == (61, 61)
    assert sections["3.7"]["line_start"] == 65
    # No new task: the paragraph has no block of its own, and the shared block's task is unchanged.
    tasks = by_id(rows, "tasks", "task_id")
    assert list(tasks) == list(by_id(original(), "tasks", "task_id"))
    assert (tasks["3.6"]["line_start"], tasks["3.6"]["line_end"]) == (59, 63)
    assert PARAGRAPH not in tasks["3.6"]["text"] and tasks["3.6"]["text"].count("\n") == 2


def test_text_and_a_block_after_a_shared_block_are_a_second_task_of_the_section():
    rows = parse_lines(inserted(63, PARAGRAPH, "牵头单位：市纪委"))  # new lines 64–65
    tasks = rows.tables["tasks"]
    ids = [task["task_id"] for task in tasks]
    assert ids[9:12] == ["3.6", "3.6-2", "3.7"]
    second = tasks[10]
    assert (second["section_id"], second["seq"], second["text"]) == ("3.6", 11, PARAGRAPH)
    assert (second["line_start"], second["line_end"]) == (64, 65)
    assert units(rows, "3.6-2") == [("lead", "牵头单位", "市纪委", 1)]
    assert tasks[11]["seq"] == 12 and len(tasks) == 51


# -- a 责任单位 line after a block ------------------------------------------------------------------

def test_responsible_line_after_a_block_starts_its_own_task():
    """After 二（一）'s block, one more paragraph assigned with 责任单位 (the unit has 、 inside brackets)."""
    rows = parse_lines(inserted(23, PARAGRAPH, "责任单位：各县（市、区）党委"))  # new lines 24–25
    tasks = by_id(rows, "tasks", "task_id")
    assert list(tasks)[:3] == ["2.1", "2.1-2", "2.2"]
    first, second = tasks["2.1"], tasks["2.1-2"]
    assert (first["line_start"], first["line_end"]) == (21, 23) and PARAGRAPH not in first["text"]
    assert [role for role, *_ in units(rows, "2.1")] == ["lead"] * 3 + ["co"] * 4
    assert (second["section_id"], second["text"], second["line_start"], second["line_end"]) == (
        "2.1", PARAGRAPH, 24, 25)
    assert units(rows, "2.1-2") == [("responsible", "责任单位", "各县（市、区）党委", 1)]
    kinds = {f.kind for f in rows.findings if f.line in (24, 25)}
    assert "missing_lead" not in kinds  # a 责任单位 line needs no 牵头单位 line
    assert by_id(rows, "sections", "section_id")["2.1"]["line_end"] == 25


def test_responsible_line_after_a_shared_block_is_a_section_task():
    rows = parse_lines(inserted(63, PARAGRAPH, "责任单位：市纪委"))
    task = by_id(rows, "tasks", "task_id")["3.6-2"]
    assert (task["section_id"], task["text"], task["line_start"], task["line_end"]) == ("3.6", PARAGRAPH, 64, 65)
    assert units(rows, "3.6-2") == [("responsible", "责任单位", "市纪委", 1)]


# -- ids after a numbering gap ------------------------------------------------------------------

GAPS = [
    # (deleted lines, the gapped node's id, ordinal, label, line, ids that must exist, ids that must not)
    pytest.param((24, 27), "2.3", 3, "（三）", 24, ["2.1", "2.3", "2.4"], ["2.2"], ["2.1", "2.3", "2.4", "3.1"],
                 id="section-(一)-then-(三)"),
    pytest.param((60, 60), "3.6.3", 3, "3.", 60, ["3.6.1", "3.6.3"], ["3.6.2"], ["3.5", "3.6", "3.7"],
                 id="item-in-a-shared-block"),
    pytest.param((108, 110), "5.1.3", 3, "3.", 108, ["5.1.1", "5.1.3"], ["5.1.2"], ["5.1.1", "5.1.3", "5.2.1"],
                 id="item-with-its-own-block"),
    pytest.param((19, 35), "3", 3, "三、", 19, ["1", "3", "3.1", "3.6.3", "4"], ["2", "2.1"], ["3.1", "3.2"],
                 id="chapter-一-then-三"),
]


@pytest.mark.parametrize(("span", "node_id", "ordinal", "label", "line", "present", "absent", "task_run"), GAPS)
def test_id_after_a_numbering_gap_follows_the_printed_number(span, node_id, ordinal, label, line, present,
                                                            absent, task_run):
    rows = parse_lines(deleted(*span))
    sections = by_id(rows, "sections", "section_id")
    node = sections[node_id]
    assert (node["ordinal"], node["label"], node["line_start"]) == (ordinal, label, line)
    assert all(section_id in sections for section_id in present)
    assert not any(section_id in sections for section_id in absent)
    gaps = [(f.line, f.value) for f in rows.findings if f.kind == "numbering_gap"]
    assert gaps == [(line, label)]  # one gap only: the number after it follows on without a finding
    task_ids = [task["task_id"] for task in rows.tables["tasks"]]
    start = task_ids.index(task_run[0])
    assert task_ids[start:start + len(task_run)] == task_run


def test_task_of_an_item_after_a_gap_keeps_its_text_and_units():
    rows = parse_lines(deleted(108, 110))  # 五（一）2 and its block
    task = by_id(rows, "tasks", "task_id")["5.1.3"]
    assert task["section_id"] == "5.1.3" and task["text"].startswith("3.健全作风建设长效机制。")
    assert (task["line_start"], task["line_end"]) == (108, 110)
    assert [unit for role, _, unit, _ in units(rows, "5.1.3") if role == "lead"] == ["市纪委"]
