"""Issue 9 §1–§2: one small synthetic notice per printed form of a responsibility clause."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_helpers import unit_registry  # noqa: E402

from pipeline.core.notice import parse_notice  # noqa: E402
from pipeline.core.sentences import split_unit_list  # noqa: E402

HEADER = "某市推进某项工作实施方案\n某市人民政府\n2020年3月1日\n一、主要任务\n（一）第一项任务\n"


def parse(*body: str):
    text = HEADER + "\n".join(body) + "\n"
    return parse_notice(text.encode("utf-8"), "synthetic.txt", unit_registry()).tables


def readings(tables, task_id: str | None = None) -> list[tuple[str, str, str]]:
    return [(row["unit_label"], row["role"], row["role_label"]) for row in tables["assignments"]
            if task_id is None or row["task_id"] == task_id]


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("做好甲工作。（A局牵头，B局、C局配合）", [("A局", "lead", "牵头"), ("B局", "co", "配合"), ("C局", "co", "配合")]),
    ("做好甲工作。（A局牵头，B局参与）", [("A局", "lead", "牵头"), ("B局", "co", "参与")]),
    ("做好甲工作。（A局牵头，B局协办）", [("A局", "lead", "牵头"), ("B局", "co", "协办")]),
    ("做好甲工作。(A局牵头，B局协助)", [("A局", "lead", "牵头"), ("B局", "co", "协助")]),
    ("做好甲工作。（牵头单位：A局；配合单位：B局、C局）",
     [("A局", "lead", "牵头单位"), ("B局", "co", "配合单位"), ("C局", "co", "配合单位")]),
    ("做好甲工作。（牵头单位：A局，配合单位：B局、C局，D局）",
     [("A局", "lead", "牵头单位"), ("B局", "co", "配合单位"), ("C局", "co", "配合单位"), ("D局", "co", "配合单位")]),
    ("做好甲工作。（A局负责）", [("A局", "responsible", "负责")]),
    ("做好甲工作。（A局、B局负责）", [("A局", "responsible", "负责"), ("B局", "responsible", "负责")]),
    ("做好甲工作。（A局、B局牵头负责）", [("A局", "lead", "牵头负责"), ("B局", "lead", "牵头负责")]),
    ("做好甲工作。（A局、B局会同有关部门负责）", [("A局", "lead", "负责"), ("B局", "lead", "负责"), ("有关部门", "co", "会同")]),
    ("做好甲工作。（A局指导）", [("A局", "guide", "指导")]),
    ("做好甲工作。（A局指导，B局参与）", [("A局", "guide", "指导"), ("B局", "co", "参与")]),
    ("做好甲工作。（A局、B局，各省级人民政府按职责分工负责）",
     [("A局", "responsible", "负责"), ("B局", "responsible", "负责"), ("各省级人民政府", "responsible", "负责")]),
    ("做好甲工作。（A局、B局分别负责）", [("A局", "responsible", "负责"), ("B局", "responsible", "负责")]),
    ("做好甲工作。（A局、B局等有关部门负责）",
     [("A局", "responsible", "负责"), ("B局", "responsible", "负责"), ("有关部门", "responsible", "负责")]),
    ("做好甲工作。（A局等和各有关省级人民政府负责）", [("A局", "responsible", "负责"), ("各有关省级人民政府", "responsible", "负责")]),
    ("做好甲工作。（各有关部门和单位按职责分工负责）", [("各有关部门和单位", "responsible", "负责")]),
    ("做好甲工作。（A局指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出）",
     [("A局", "guide", "指导"), ("试点城市政府", "responsible", "负责落实")]),
    ("做好甲工作。责任单位：A局、B局。", [("A局", "responsible", "责任单位"), ("B局", "responsible", "责任单位")]),
])
def test_each_printed_form(paragraph, expected):
    tables = parse(paragraph)
    assert readings(tables) == expected
    task = tables["tasks"][0]
    assert task["text"] == "做好甲工作。"
    assert not [row for row in tables["findings"] if row["kind"] == "missing_lead"]


@pytest.mark.parametrize("paragraph", [
    "开展试点（试行）。", "实施规划（2018—2020年）。", "建立平台（包括市财政局、市税务局）。",
    "成立领导小组（以下简称领导小组）。", "执行《办法（试行）》。", "落实政策。（企业直接向国家发展改革委申报）",
    "落实政策（市财政局负责）并报告。",
])
def test_brackets_that_are_text(paragraph):
    tables = parse(paragraph)
    assert tables["tasks"] == [] and tables["assignments"] == []
    assert tables["sections"][1]["body"] == paragraph


def test_open_ended_marks_the_task():
    tables = parse("做好甲工作。（A局、B局等负责）", "做好乙工作。（A局、B局负责）")
    assert [task["open_ended"] for task in tables["tasks"]] == [True, False]
    assert readings(tables, "1.1") == [("A局", "responsible", "负责"), ("B局", "responsible", "负责")]


def test_several_clauses_in_one_paragraph_are_tasks_with_suffixes():
    tables = parse("做好甲工作。（A局负责）做好乙工作。（B局指导）做好丙工作。")
    assert [(task["task_id"], task["text"], task["clause"]) for task in tables["tasks"]] == [
        ("1.1", "做好甲工作。", "（A局负责）"), ("1.1-2", "做好乙工作。", "（B局指导）")]
    assert tables["sections"][1]["body"] == "做好甲工作。做好乙工作。做好丙工作。"


def test_convention_with_xiatong_lasts_to_the_end():
    tables = parse("做好甲工作。（A局、B局负责。列第一位者为牵头单位，下同）", "做好乙工作。（C局、D局、各县（市、区）政府负责）",
                   "做好丙工作。（各有关部门和单位、E局负责）")
    assert readings(tables, "1.1") == [("A局", "lead", "负责"), ("B局", "co", "负责")]
    assert readings(tables, "1.1-2") == [("C局", "lead", "负责"), ("D局", "co", "负责"),
                                         ("各县（市、区）政府", "co", "负责")]
    # A collective is never made the lead.
    assert readings(tables, "1.1-3") == [("各有关部门和单位", "responsible", "负责"), ("E局", "responsible", "负责")]
    conventions = [row for row in tables["findings"] if row["kind"] == "convention"]
    assert [(row["value"], row["severity"]) for row in conventions] == [("列第一位者为牵头单位", "info")]


def test_convention_without_xiatong_covers_its_clause_only():
    tables = parse("做好甲工作。（A局、B局负责，排在第一位的部门为牵头部门）", "做好乙工作。（C局、D局负责）")
    assert readings(tables, "1.1") == [("A局", "lead", "负责"), ("B局", "co", "负责")]
    assert readings(tables, "1.1-2") == [("C局", "responsible", "负责"), ("D局", "responsible", "负责")]


def test_standing_sentence_is_a_note_and_invents_no_unit():
    tables = parse("做好甲工作。（A局指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出）", "做好乙工作。（B局指导）")
    assert readings(tables, "1.1-2") == [("B局", "guide", "指导")]
    notes = [row for row in tables["findings"] if row["kind"] == "clause_note"]
    assert [(row["value"], row["severity"]) for row in notes] == [("以下均需试点城市政府落实，不再列出", "info")]


def test_clause_on_an_item_heading_is_cut_from_heading_and_text():
    tables = parse("1.拓展市场。推广试点。（A局、B局负责）")
    item = tables["sections"][-1]
    assert (item["section_id"], item["heading"], item["body"]) == ("1.1.1", "拓展市场", "推广试点。")
    assert tables["tasks"][0]["task_id"] == "1.1.1"
    assert tables["tasks"][0]["text"] == "1.拓展市场。推广试点。"


@pytest.mark.parametrize(("printed", "units"), [
    ("市劳动和社会保障局、市财政（地税）局", ["市劳动和社会保障局", "市财政（地税）局"]),
    ("各省、自治区、直辖市人民政府", ["各省、自治区、直辖市人民政府"]),
    ("各县（市、区）政府，市财政局", ["各县（市、区）政府", "市财政局"]),
    ("各有关部门和单位；A局,B局", ["各有关部门和单位", "A局", "B局"]),
    ("有关省、自治区人民政府、A局", ["有关省、自治区人民政府", "A局"]),
    ("高等院校、A局", ["高等院校", "A局"]),
])
def test_unit_lists(printed, units):
    assert split_unit_list(printed)[0] == units
