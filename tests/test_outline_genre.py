"""Issue 9 §3: items under a chapter, chapterless nodes, run-on numbering, level 4, lost line breaks."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_helpers import notice_lines, parse_lines, unit_registry  # noqa: E402

from pipeline.core.notice import parse_notice  # noqa: E402
from pipeline.errors import PlanDataError  # noqa: E402

HEADER = "某市推进某项工作实施方案\n某市人民政府\n2020年3月1日\n"


def parse(body: str):
    return parse_notice((HEADER + body).encode("utf-8"), "synthetic.txt", unit_registry()).tables


def outline(tables) -> list[tuple[str, str | None, int]]:
    return [(row["section_id"], row["parent_id"], row["level"]) for row in tables["sections"]]


def test_item_directly_under_a_chapter_in_the_bundled_notice():
    lines = notice_lines()
    assert lines[7] == "一、总体要求"
    lines[8:8] = ["1.明确任务。加强领导。"]
    sections = parse_lines(lines).tables["sections"]
    assert [(row["section_id"], row["parent_id"], row["level"]) for row in sections[:3]] == [
        ("1", None, 1), ("1.0.1", "1", 3), ("1.1", "1", 2)]


def test_items_under_a_chapter_keep_their_printed_numbers():
    tables = parse("四、措施\n40.做好甲。（A局负责）\n41.做好乙。（B局负责）\n")
    assert outline(tables) == [("4", None, 1), ("4.0.40", "4", 3), ("4.0.41", "4", 3)]
    assert [task["task_id"] for task in tables["tasks"]] == ["4.0.40", "4.0.41"]
    # 四、 and 40. open the text: both skip numbers; 41. follows 40. with no gap.
    assert [row["value"] for row in tables["findings"] if row["kind"] == "numbering_gap"] == ["四、", "40."]


def test_chapterless_sections_and_items():
    tables = parse("（一）做好甲。\n1.做好乙。（A局负责）\n（二）做好丙。（B局负责）\n")
    assert outline(tables) == [("0.1", None, 2), ("0.1.1", "0.1", 3), ("0.2", None, 2)]
    assert parse("1.做好甲。（A局负责）\n2.做好乙。（B局负责）\n")["sections"][1]["section_id"] == "0.0.2"


def test_numbering_that_runs_on_across_parents_gives_no_gap():
    tables = parse("一、甲\n（一）做好甲。\n（二）做好乙。\n二、乙\n（三）做好丙。\n1.做好丁。\n三、丙\n（四）做好戊。\n2.做好己。\n")
    assert [row["section_id"] for row in tables["sections"]] == ["1", "1.1", "1.2", "2", "2.3", "2.3.1", "3", "3.4",
                                                                 "3.4.2"]
    assert not [row for row in tables["findings"] if row["kind"] == "numbering_gap"]


def test_a_gap_in_run_on_numbering_is_still_a_finding():
    tables = parse("一、甲\n（一）做好甲。\n二、乙\n（三）做好丙。\n")
    gaps = [(row["line"], row["value"]) for row in tables["findings"] if row["kind"] == "numbering_gap"]
    assert gaps == [(7, "（三）")]


def test_a_duplicate_is_still_refused():
    with pytest.raises(PlanDataError, match="duplicate section number （一）"):
        parse("一、甲\n（一）做好甲。\n（一）做好乙。\n")


def test_fourth_level():
    tables = parse("一、甲\n（一）乙\n1.做好甲。\n（1）做好乙。\n（2）做好丙。\n③做好丁。\n")
    assert outline(tables)[3:] == [("1.1.1.1", "1.1.1", 4), ("1.1.1.2", "1.1.1", 4), ("1.1.1.3", "1.1.1", 4)]
    assert parse("一、甲\n（一）乙\n（1）做好乙。\n")["sections"][-1]["section_id"] == "1.1.0.1"


def test_lost_line_breaks():
    tables = parse("一、甲\n（一）乙。做好甲。1.对A进行检查，投入3.5万元，2018.12前完成第1条。责任单位：C局。"
                   "2.对B进行检查。责任单位：A局、B局。3.对C进行检查。\n")
    assert [row["section_id"] for row in tables["sections"]] == ["1", "1.1", "1.1.1", "1.1.2", "1.1.3"]
    assert tables["sections"][2]["heading"] == "对A进行检查，投入3.5万元，2018.12前完成第1条"
    assert [(task["task_id"], task["text"]) for task in tables["tasks"]] == [
        ("1.1.1", "1.对A进行检查，投入3.5万元，2018.12前完成第1条。"), ("1.1.2", "2.对B进行检查。")]
    assert [(row["task_id"], row["unit_label"], row["role"]) for row in tables["assignments"]] == [
        ("1.1.1", "C局", "responsible"), ("1.1.2", "A局", "responsible"), ("1.1.2", "B局", "responsible")]
    assert tables["tasks"][1]["clause"] == "责任单位：A局、B局。"
    assert {row["line_start"] for row in tables["sections"][1:]} == {5}
