"""Issue 9 §6: the real notices of the genre in the shared corpus parse, with values typed from reading them."""
from __future__ import annotations

import collections
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import shared_dir  # noqa: E402
from core_helpers import unit_registry  # noqa: E402

from pipeline.core.notice import parse_notice  # noqa: E402

pytestmark = pytest.mark.corpus


def _parse(prefix: str):
    path = next((shared_dir() / "corpus").glob(f"{prefix}_*.txt"))
    return parse_notice(path.read_bytes(), path.name, unit_registry()).tables


def _clause(tables, printed: str) -> list[tuple[str, str]]:
    """(unit, role) of the one task whose clause is ``printed``."""
    tasks = [task for task in tables["tasks"] if task["clause"] == printed]
    assert len(tasks) == 1, printed
    return [(row["unit_label"], row["role"]) for row in tables["assignments"]
            if row["task_id"] == tasks[0]["task_id"]]


def _task(tables, printed: str) -> dict:
    return next(task for task in tables["tasks"] if task["clause"] == printed)


# prefix -> (nodes per level, tasks, lead assignments)
SHAPES = {
    "02": ({1: 4, 2: 19}, 39, 1),
    "03": ({1: 5, 2: 9, 3: 21}, 21, 21),
    "04": ({1: 8, 2: 20}, 18, 18),
    "05": ({1: 5, 2: 15}, 15, 11),
    "06": ({1: 30}, 30, 5),
    "07": ({1: 6, 2: 17}, 17, 0),
}


@pytest.mark.parametrize("prefix", list(SHAPES))
def test_corpus_notice_shape_and_no_error(prefix):
    tables = _parse(prefix)
    levels, tasks, leads = SHAPES[prefix]
    assert collections.Counter(row["level"] for row in tables["sections"]) == levels
    assert len(tables["tasks"]) == tasks
    assert sum(row["role"] == "lead" for row in tables["assignments"]) == leads
    assert [row for row in tables["findings"] if row["severity"] == "error"] == []
    assert not [row for row in tables["findings"] if row["kind"] == "numbering_gap"]
    # Every clause is cut from the text it governs.
    assert not any(task["clause"] and task["clause"] in task["text"] for task in tables["tasks"])


@pytest.mark.parametrize(("prefix", "title", "notice_title", "doc_number", "issuer", "date"), [
    ("02", "“无废城市”建设试点工作方案", "国务院办公厅关于印发“无废城市”建设试点工作方案的通知", "国办发〔2018〕128号",
     "国务院办公厅", dt.date(2018, 12, 29)),
    ("03", "国务院关于促进综合保税区高水平开放高质量发展的若干意见", None, "国发〔2019〕3号", "国务院", dt.date(2019, 1, 12)),
    ("04", "国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见", None, "国发〔2018〕42号", "国务院",
     dt.date(2018, 12, 21)),
    ("05", "国务院关于做好当前和今后一个时期促进就业工作的若干意见", None, "国发〔2018〕39号", "国务院", dt.date(2018, 11, 16)),
    ("06", "国务院办公厅关于对真抓实干成效明显地方进一步加大激励支持力度的通知", None, "国办发〔2018〕117号", "国务院办公厅",
     dt.date(2018, 12, 6)),
    ("07", "国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见", None, "国办发〔2018〕129号", "国务院办公厅",
     dt.date(2018, 12, 30)),
])
def test_corpus_header(prefix, title, notice_title, doc_number, issuer, date):
    document = _parse(prefix)["documents"][0]
    assert (document["title"], document["notice_title"], document["doc_number"], document["issuer"],
            document["issue_date"]) == (title, notice_title, doc_number, issuer, date)
    assert document["addressees"] == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    assert document["period_start"] is None


def test_zero_waste_clauses():
    tables = _parse("02")
    assert _clause(tables, "（生态环境部牵头，国家发展改革委、工业和信息化部、住房城乡建设部、农业农村部、国家统计局参与）") == [
        ("生态环境部", "lead"), ("国家发展改革委", "co"), ("工业和信息化部", "co"), ("住房城乡建设部", "co"),
        ("农业农村部", "co"), ("国家统计局", "co")]
    standing = "（生态环境部指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出）"
    assert _clause(tables, standing) == [("生态环境部", "guide"), ("试点城市政府", "responsible")]
    assert _task(tables, standing)["task_id"] == "2.1-2"
    assert _clause(tables, "（市场监管总局、工业和信息化部负责）") == [("市场监管总局", "responsible"),
                                                           ("工业和信息化部", "responsible")]
    assert _clause(tables, "（商务部指导，供销合作总社参与）") == [("商务部", "guide"), ("供销合作总社", "co")]
    assert _clause(tables, "(国家发展改革委、工业和信息化部、住房城乡建设部、市场监管总局、国管局指导)") == [
        (unit, "guide") for unit in ("国家发展改革委", "工业和信息化部", "住房城乡建设部", "市场监管总局", "国管局")]
    notes = [row for row in tables["findings"] if row["kind"] == "clause_note"]
    assert [(row["value"], row["severity"]) for row in notes] == [("以下均需试点城市政府落实，不再列出", "info")]
    # No unit is invented for later tasks: 试点城市政府 is named once.
    assert sum(row["unit_label"] == "试点城市政府" for row in tables["assignments"]) == 1


def test_bonded_zones_clauses():
    tables = _parse("03")
    first = "（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）"
    assert _clause(tables, first) == [("税务总局", "lead"), ("财政部", "co"), ("海关总署", "co")]
    assert _task(tables, first)["task_id"] == "4.1.1"
    assert _task(tables, first)["text"] == "1.拓展两个市场。积极稳妥地在综合保税区推广增值税一般纳税人资格试点。"
    task_ids = [task["task_id"] for task in tables["tasks"]]
    assert task_ids[5] == "4.2.6" and task_ids[-1] == "4.5.21"  # items 1–21 run on across sections
    assert _clause(tables, "（海关总署、证监会负责）") == [("海关总署", "lead"), ("证监会", "co")]
    open_ended = [task for task in tables["tasks"] if task["clause"] == "（海关总署、商务部等有关部门负责）"]
    assert [task["open_ended"] for task in open_ended] == [True, True]
    assert [(row["unit_label"], row["role"]) for row in tables["assignments"]
            if row["task_id"] == open_ended[0]["task_id"]] == [("海关总署", "lead"), ("商务部", "co"), ("有关部门", "co")]
    assert _clause(tables, "（药监局、海关总署负责）") == [("药监局", "lead"), ("海关总署", "co")]
    conventions = [row for row in tables["findings"] if row["kind"] == "convention"]
    assert [(row["line"], row["value"]) for row in conventions] == [(17, "排在第一位的部门为牵头部门")]


def test_farm_machinery_clauses():
    tables = _parse("04")
    first = "（工业和信息化部、发展改革委、科技部、农业农村部等负责。列第一位者为牵头单位，下同）"
    assert _clause(tables, first) == [("工业和信息化部", "lead"), ("发展改革委", "co"), ("科技部", "co"),
                                      ("农业农村部", "co")]
    assert _task(tables, first)["task_id"] == "2.3" and _task(tables, first)["open_ended"] is True
    assert _clause(tables, "（农业农村部、工业和信息化部牵头负责）") == [("农业农村部", "lead"), ("工业和信息化部", "lead")]
    assert _clause(tables, "（各省级人民政府负责）") == [("各省级人民政府", "responsible")]
    assert _task(tables, "（各省级人民政府负责）")["task_id"] == "8.19"
    assert _clause(tables, "（农业农村部、发展改革委、财政部等负责）") == [
        ("农业农村部", "lead"), ("发展改革委", "co"), ("财政部", "co")]
    assert _clause(tables, "（教育部、工业和信息化部、农业农村部等负责）") == [
        ("教育部", "lead"), ("工业和信息化部", "co"), ("农业农村部", "co")]


def test_employment_clauses():
    tables = _parse("05")
    assert _clause(tables, "（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）") == [
        ("人力资源社会保障部", "lead"), ("财政部", "co")]
    assert _clause(tables, "（人力资源社会保障部、科技部、财政部、住房城乡建设部、市场监管总局，各省级人民政府按职责分工负责）") == [
        ("人力资源社会保障部", "lead"), ("科技部", "co"), ("财政部", "co"), ("住房城乡建设部", "co"),
        ("市场监管总局", "co"), ("各省级人民政府", "co")]
    assert _clause(tables, "（人力资源社会保障部等有关部门和单位负责）") == [
        ("人力资源社会保障部", "lead"), ("有关部门和单位", "co")]
    assert _clause(tables, "（各有关部门和单位按职责分工负责）") == [("各有关部门和单位", "responsible")]
    both = [task for task in tables["tasks"] if task["clause"] == "（各有关部门和单位，各省级人民政府按职责分工负责）"]
    assert [task["task_id"] for task in both] == ["5.14", "5.15"]
    assert [(row["unit_label"], row["role"]) for row in tables["assignments"] if row["task_id"] == "5.14"] == [
        ("各有关部门和单位", "responsible"), ("各省级人民政府", "responsible")]


def test_local_incentives_clauses():
    tables = _parse("06")
    assert [task["task_id"] for task in tables["tasks"]] == [str(number) for number in range(1, 31)]
    assert [(row["task_id"], row["unit_label"], row["role"]) for row in tables["assignments"]
            if row["task_id"] in ("1", "19")] == [("1", "市场监管总局", "responsible"), ("19", "市场监管总局", "responsible")]
    assert _clause(tables, "（国家发展改革委、财政部会同有关部门负责）") == [
        ("国家发展改革委", "lead"), ("财政部", "lead"), ("有关部门", "co")]
    assert _clause(tables, "（教育部会同有关部门负责）") == [("教育部", "lead"), ("有关部门", "co")]
    assert _clause(tables, "（人民银行、银保监会、证监会负责）") == [
        ("人民银行", "responsible"), ("银保监会", "responsible"), ("证监会", "responsible")]
    assert _clause(tables, "（国务院办公厅负责）") == [("国务院办公厅", "responsible")]
    chapter_one = tables["sections"][0]
    assert chapter_one["section_id"] == "1" and "（市场监管总局负责）" not in (chapter_one["heading"] + (chapter_one["body"] or ""))


def test_consumption_poverty_clauses():
    tables = _parse("07")
    assert all(task["open_ended"] for task in tables["tasks"])
    assert {row["role"] for row in tables["assignments"]} == {"responsible"}
    assert _clause(tables, "（扶贫办、发展改革委、人力资源社会保障部、商务部等和各有关省级人民政府负责）") == [
        (unit, "responsible") for unit in ("扶贫办", "发展改革委", "人力资源社会保障部", "商务部", "各有关省级人民政府")]
    assert _task(tables, "（扶贫办、发展改革委、人力资源社会保障部、商务部等和各有关省级人民政府负责）")["task_id"] == "2.2"
    assert _clause(tables, "（农业农村部、文化和旅游部等和各有关省级人民政府负责）") == [
        ("农业农村部", "responsible"), ("文化和旅游部", "responsible"), ("各有关省级人民政府", "responsible")]
    assert _clause(tables, "（商务部、发展改革委、农业农村部等和各有关省级人民政府负责）")[-1] == ("各有关省级人民政府", "responsible")
    first = _clause(tables, "（扶贫办、中央统战部、中央和国家机关工委、教育部、卫生健康委、人民银行、国资委、国管局、"
                            "中央军委政治工作部、全国总工会等和各省级人民政府负责）")
    assert len(first) == 11 and first[2] == ("中央和国家机关工委", "responsible")
    assert _clause(tables, "（农业农村部、财政部、商务部等和各有关省级人民政府负责）")[0] == ("农业农村部", "responsible")


def test_titles_on_a_clauses_line_take_the_task_of_the_clause_after_them():
    # Issue 15 §7. 02 line 24: 落实《生态文明体制改革总体方案》… (…国家统计局指导), the third task of 二（一）.
    # 02 line 37: 落实《医疗废物管理条例》… after three clauses, before (生态环境部、国家卫生健康委指导): 2.5-5.
    # 04 line 34: 深入贯彻落实《中华人民共和国农业机械化促进法》… (各省级人民政府负责): （十九）'s task.
    rows = {prefix: [(row["citation_id"], row["task_id"], row["line"]) for row in _parse(prefix)["citations"]]
            for prefix in ("02", "04")}
    assert rows == {"02": [("0-c1", None, 5), ("2.1-c1", "2.1-3", 24), ("2.5-c1", "2.5-5", 37)],
                    "04": [("8.19-c1", "8.19", 34)]}
