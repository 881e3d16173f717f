"""Deadlines (issue 15 §4): the deadline as printed, the last day it allows, standing and recurring ones,
read from a labelled line, a clause or a table's deadline column. Expected dates are typed by hand."""
from __future__ import annotations

import datetime as dt

import sys
from pathlib import Path

import pytest

from pipeline.core.deadlines import read_deadline
from pipeline.core.outline import parse_outline

sys.path.insert(0, str(Path(__file__).resolve().parent))

D = dt.date

# printed -> (due date in a plan whose period is 2019-2021, i.e. no unambiguous year)
WITH_A_YEAR = {
    "2019年3月": D(2019, 3, 31),
    "2020年底前": D(2020, 12, 31),
    "2025年6月底": D(2025, 6, 30),
    "2019年3月底前": D(2019, 3, 31),
    "2019年3月前": D(2019, 3, 31),
    "2019年6月末": D(2019, 6, 30),
    "2020年2月": D(2020, 2, 29),  # a leap year
    "2019年2月": D(2019, 2, 28),
    "2020年年底": D(2020, 12, 31),
    "2020年末": D(2020, 12, 31),
    "2020年": D(2020, 12, 31),
    "2020年上半年": D(2020, 6, 30),
    "2020年下半年": D(2020, 12, 31),
    "2020年第一季度": D(2020, 3, 31),
    "2020年二季度末": D(2020, 6, 30),
    "2020年第三季度": D(2020, 9, 30),
    "2019年3月上旬": D(2019, 3, 10),
    "2019年3月中旬": D(2019, 3, 20),
    "2019年2月下旬": D(2019, 2, 28),
    "2019年3月15日前": D(2019, 3, 15),
    "二〇一九年三月底": D(2019, 3, 31),
    "二○二○年十二月中旬": D(2020, 12, 20),
    "２０１９年１１月": D(2019, 11, 30),
    "2019年3月至6月": D(2019, 6, 30),  # the year printed before carries on within one deadline
    "2019—2020年": D(2020, 12, 31),  # a span is due at its end
    "2019年试点，2020年底前全面推开": D(2020, 12, 31),
}
# printed without a year -> due date in a one-year plan of 2024
WITHOUT_A_YEAR = {
    "6月底前": D(2024, 6, 30),
    "年底前": D(2024, 12, 31),
    "上半年": D(2024, 6, 30),
    "第一季度": D(2024, 3, 31),
    "一季度末": D(2024, 3, 31),
    "3月中旬": D(2024, 3, 20),
    "十月上旬": D(2024, 10, 10),
    "十二月底": D(2024, 12, 31),
    "11月15日": D(2024, 11, 15),
}


@pytest.mark.parametrize("printed, due", list(WITH_A_YEAR.items()))
def test_a_deadline_with_its_year_is_due_the_last_day_it_allows(printed, due):
    assert read_deadline(printed, None) == ((printed, due, "date"), None)


@pytest.mark.parametrize("printed, due", list(WITHOUT_A_YEAR.items()))
def test_a_deadline_without_a_year_takes_the_plans_one_year_or_is_unknown(printed, due):
    assert read_deadline(printed, 2024) == ((printed, due, "date"), None)
    reading, problem = read_deadline(printed, None)
    assert reading == (printed, None, "date")
    assert problem[0] == "deadline_year_unknown" and printed in problem[1]


@pytest.mark.parametrize("printed, kind", [("长期坚持", "standing"), ("长期", "standing"), ("持续推进", "standing"),
                                           ("常态化推进", "standing"), ("每年", "recurring"),
                                           ("每年6月底前", "recurring"), ("每季度", "recurring")])
def test_standing_and_recurring_deadlines_have_no_due_date(printed, kind):
    assert read_deadline(printed, 2024) == ((printed, None, kind), None)


def test_a_date_printed_with_a_standing_word_is_the_due_date():
    assert read_deadline("2020年底前完成，长期坚持", None) == (("2020年底前完成，长期坚持", D(2020, 12, 31), "date"), None)


@pytest.mark.parametrize("printed", ["按国家部署推进", "2019年2月30日"])
def test_a_deadline_that_is_no_date_is_kept_as_printed_with_a_warning(printed):
    reading, problem = read_deadline(printed, 2019)
    assert reading == (printed, None, None)
    assert problem[0] == "deadline_unread"


def _plan(title: str, body: str):
    return parse_outline(f"{title}\n各区人民政府：\n现印发给你们。\n某某市人民政府\n2019年1月2日\n"
                         f"一、主要任务\n{body}", "deadlines.txt")


def _deadlines(outline) -> list[tuple]:
    return [(task.task_id, task.deadline, task.due_date, task.deadline_kind, task.text) for task in outline.tasks]


def test_a_labelled_deadline_line_after_the_unit_lines_is_the_tasks_deadline():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．建立台账制度。\n牵头单位：市财政局\n配合单位：市审计局\n完成时限：2019年3月\n"
                    "2．完善考核办法。\n牵头单位：市人社局\n时间节点：2020年底前。\n"
                    "3．推进信息公开。\n责任单位：市政府办公室\n完成时间：长期坚持\n"
                    "4．开展专项检查。\n牵头单位：市审计局\n")
    assert _deadlines(outline) == [
        ("1.0.1", "2019年3月", D(2019, 3, 31), "date", "1．建立台账制度。"),
        ("1.0.2", "2020年底前", D(2020, 12, 31), "date", "2．完善考核办法。"),
        ("1.0.3", "长期坚持", None, "standing", "3．推进信息公开。"),
        ("1.0.4", None, None, None, "4．开展专项检查。")]
    # The labelled line (line 10) is no unit line: the task's span still ends at its last unit line.
    assert outline.tasks[0].line_end == 9 and outline.tasks[0].deadline_line == 10
    assert [unit for task in outline.tasks for line in task.unit_lines for unit in line.units] == [
        "市财政局", "市审计局", "市人社局", "市政府办公室", "市审计局"]
    assert not [f for f in outline.findings if f.kind.startswith("deadline")]


def test_a_deadline_run_on_after_the_units_of_a_unit_line_is_cut_from_the_units():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．建立台账制度。\n牵头单位：市财政局、市审计局；完成时限：2019年6月底\n")
    assert _deadlines(outline) == [("1.0.1", "2019年6月底", D(2019, 6, 30), "date", "1．建立台账制度。")]
    assert outline.tasks[0].unit_lines[0].units == ["市财政局", "市审计局"]


def test_a_labelled_deadline_inside_a_clause_is_the_tasks_deadline_and_not_a_unit():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "（一）建立台账制度。（牵头单位：市财政局；配合单位：市审计局；完成时限：2019年底前）\n"
                    "（二）完善考核办法。（市人社局牵头，市财政局配合；时间节点：2020年第二季度）\n"
                    "（三）推进信息公开。（责任单位：市政府办公室；完成时间：每年）\n"
                    "（四）开展专项检查。（市审计局负责）\n")
    assert [(t.task_id, t.deadline, t.due_date, t.deadline_kind) for t in outline.tasks] == [
        ("1.1", "2019年底前", D(2019, 12, 31), "date"),
        ("1.2", "2020年第二季度", D(2020, 6, 30), "date"),
        ("1.3", "每年", None, "recurring"),
        ("1.4", None, None, None)]
    assert [[(line.role, line.units) for line in task.unit_lines] for task in outline.tasks[:2]] == [
        [("lead", ["市财政局"]), ("co", ["市审计局"])], [("lead", ["市人社局"]), ("co", ["市财政局"])]]
    # The clause is cut whole from the text, deadline included.
    assert outline.tasks[0].clause == "（牵头单位：市财政局；配合单位：市审计局；完成时限：2019年底前）"
    assert "完成时限" not in outline.tasks[0].text


def test_a_year_left_implicit_is_the_plans_year_only_when_the_plan_is_one_year():
    body = "1．建立台账制度。\n牵头单位：市财政局\n完成时限：6月底前\n"
    one_year = _plan("2024年某某区违法用地综合整治实施方案", body)
    assert _deadlines(one_year)[0][1:4] == ("6月底前", D(2024, 6, 30), "date")
    also_one_year = _plan("某某市行动计划（2024—2024年）", body)
    assert _deadlines(also_one_year)[0][2] == D(2024, 6, 30)
    several = _plan("某某市三年行动计划（2019—2021年）", body)
    assert _deadlines(several)[0][1:4] == ("6月底前", None, "date")
    unknown = [f for f in several.findings if f.kind == "deadline_year_unknown"]
    assert [(f.line, f.value) for f in unknown] == [(9, "6月底前")]
    no_period = _plan("某某市关于加强管理的实施意见", body)
    assert _deadlines(no_period)[0][2] is None
    assert [f.kind for f in no_period.findings if f.kind.startswith("deadline")] == ["deadline_year_unknown"]


def test_years_in_the_running_text_are_no_deadline():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．到2020年底前，建成台账制度，2021年6月底前完成验收。\n牵头单位：市财政局\n")
    assert _deadlines(outline)[0][1:4] == (None, None, None)


def test_a_deadline_line_with_no_task_before_it_is_text():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．建立台账制度。\n完成时限：2019年3月\n牵头单位：市财政局\n")
    assert _deadlines(outline) == [("1.0.1", None, None, None, "1．建立台账制度。\n完成时限：2019年3月")]


def test_a_deadline_in_no_form_gives_a_warning_naming_its_line():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．建立台账制度。\n牵头单位：市财政局\n完成时限：按国家统一部署\n")
    assert _deadlines(outline)[0][1:4] == ("按国家统一部署", None, None)
    assert [(f.line, f.kind, f.value) for f in outline.findings if f.kind.startswith("deadline")] == [
        (9, "deadline_unread", "按国家统一部署")]


def test_the_ledger_view_lists_each_units_tasks_by_due_date_with_role_and_notice(tmp_path):
    import duckdb

    from core_helpers import ROOT
    from pipeline.extraction.extract import extract
    from pipeline.sources.discovery import SourceFile
    from pipeline.publish.store import write_database

    text = ("某某市三年行动计划（2019—2021年）\n各区人民政府：\n现印发给你们。\n某某市人民政府\n2019年1月2日\n"
            "一、主要任务\n"
            "1．建立台账制度。\n牵头单位：甲局\n配合单位：乙局\n完成时限：2020年底前\n"
            "2．完善考核办法。\n牵头单位：乙局\n配合单位：甲局\n完成时限：2019年3月\n"
            "3．推进信息公开。\n责任单位：甲局\n完成时限：长期坚持\n")
    notice = tmp_path / "ledger.txt"
    notice.write_text(text, encoding="utf-8")
    registry = {path.name: SourceFile(path, path.read_bytes())
                for path in (ROOT / "sources" / "units.csv", ROOT / "sources" / "unit_aliases.csv")}
    write_database(tmp_path / "plan.duckdb", extract([SourceFile(notice, notice.read_bytes())], registry))
    with duckdb.connect(str(tmp_path / "plan.duckdb"), read_only=True) as db:
        ledger = db.execute("SELECT unit_name, role, due_date, deadline, deadline_kind, task_id, numbering, "
                            "notice_title FROM ledger").fetchall()
    title = "某某市三年行动计划（2019—2021年）"
    # Units in code-point order of their key (乙 U+4E59 before 甲 U+7532), each unit's tasks by due date.
    assert ledger == [
        ("乙局", "lead", D(2019, 3, 31), "2019年3月", "date", "1.0.2", "一、2．", title),
        ("乙局", "co", D(2020, 12, 31), "2020年底前", "date", "1.0.1", "一、1．", title),
        ("甲局", "co", D(2019, 3, 31), "2019年3月", "date", "1.0.2", "一、2．", title),
        ("甲局", "lead", D(2020, 12, 31), "2020年底前", "date", "1.0.1", "一、1．", title),
        ("甲局", "responsible", None, "长期坚持", "standing", "1.0.3", "一、3．", title)]


# -- a table's deadline column (issue 15 §4): no shared file prints one, so the tables are built by hand ------
TABLE_FORMS = [  # (deadline cell as printed, due date, kind) in a plan of 2024 (title: 2024年…方案)
    ("2019年3月", D(2019, 3, 31), "date"), ("2020年底前", D(2020, 12, 31), "date"),
    ("2025年6月底", D(2025, 6, 30), "date"), ("6月底前", D(2024, 6, 30), "date"),
    ("年底前", D(2024, 12, 31), "date"), ("上半年", D(2024, 6, 30), "date"),
    ("第一季度", D(2024, 3, 31), "date"), ("一季度末", D(2024, 3, 31), "date"),
    ("3月中旬", D(2024, 3, 20), "date"), ("十月上旬", D(2024, 10, 10), "date"),
    ("长期坚持", None, "standing"), ("持续推进", None, "standing"), ("每年", None, "recurring"),
    ("——", None, None),  # an empty cell: no deadline
]


def _table_notice(title: str, forms) -> "Document":
    from pipeline.core.document import Cell, Document, Paragraph, Table

    head = [Paragraph(1, title), Paragraph(3, "各街镇："), Paragraph(5, "现印发给你们。"), Paragraph(7, "某区人民政府"),
            Paragraph(9, "2024年1月5日"), Paragraph(11, "一、主要任务"), Paragraph(13, "按照分工表推进各项任务。")]
    line = 20
    grid = [["序号", "重点任务", "牵头单位", "完成时限"]]
    grid += [[str(n), f"任务{n}", "区发改委", printed] for n, (printed, _, _) in enumerate(forms, start=1)]
    rows = []
    for printed_row in grid:
        cells = []
        for value in printed_row:
            cells.append(Cell(value, line, line))
            line += 2
        rows.append(tuple(cells))
    return Document("t.txt", "text", "utf-8", "", (*head, Table(tuple(rows), 20, line - 2)))


def test_every_form_in_a_tables_deadline_column(registry):
    from pipeline.core.notice import parse_notice_document

    tables = parse_notice_document(_table_notice("2024年某区重点任务分工方案", TABLE_FORMS), b"x", registry).tables
    read = [(row["deadline"], row["due_date"], row["deadline_kind"]) for row in tables["tasks"]]
    assert read == [(printed if kind or due else None, due, kind) for printed, due, kind in TABLE_FORMS]
    assert not [row for row in tables["findings"] if row["kind"].startswith("deadline")]


def test_a_tables_deadline_without_a_year_in_a_plan_of_several_years_is_a_warning_naming_its_row(registry):
    from pipeline.core.notice import parse_notice_document

    forms = [("6月底前", None, "date"), ("2025年底前", D(2025, 12, 31), "date")]
    tables = parse_notice_document(_table_notice("某区三年行动计划（2024—2026年）", forms), b"x", registry).tables
    assert [(row["deadline"], row["due_date"], row["deadline_kind"]) for row in tables["tasks"]] == forms
    task = tables["tasks"][0]
    assert [(row["kind"], row["value"], row["line"]) for row in tables["findings"] if row["kind"].startswith("deadline")] \
        == [("deadline_year_unknown", "6月底前", task["line_start"])]


def test_a_plain_text_tables_deadline_column_is_read(registry):
    from pipeline.core.notice import parse_notice

    text = ("某区三年行动计划（2024—2026年）\n\n一、主要任务\n\n按照分工表推进各项任务。\n\n"
            "序号\n\n重点任务\n\n牵头单位\n\n完成时限\n\n"
            "1\n\n建立台账制度\n\n区发改委\n\n2024年6月底\n\n"
            "2\n\n完善考核办法\n\n区财政局\n\n长期坚持\n")
    tables = parse_notice(text.encode("utf-8"), "t.txt", registry).tables
    assert [(row["deadline"], row["due_date"], row["deadline_kind"]) for row in tables["tasks"]] == [
        ("2024年6月底", D(2024, 6, 30), "date"), ("长期坚持", None, "standing")]


def test_a_deadline_run_on_after_the_unit_labels_of_an_items_line_is_the_tasks_deadline():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．建立台账制度。牵头单位：市财政局；配合单位：市审计局。完成时限：2019年底前。\n"
                    "2．完善考核办法。\n牵头单位：市审计局\n")
    assert [(t.task_id, t.deadline, t.due_date, [line.units for line in t.unit_lines]) for t in outline.tasks] == [
        ("1.0.1", "2019年底前", D(2019, 12, 31), [["市财政局"], ["市审计局"]]),
        ("1.0.2", None, None, [["市审计局"]])]


def test_a_bracketed_deadline_after_the_units_of_a_unit_line_is_cut_with_its_bracket():
    outline = _plan("某某市三年行动计划（2019—2021年）",
                    "1．建立台账制度。\n牵头单位：市财政局、市审计局（完成时限：2019年3月）\n")
    assert _deadlines(outline) == [("1.0.1", "2019年3月", D(2019, 3, 31), "date", "1．建立台账制度。")]
    assert outline.tasks[0].unit_lines[0].units == ["市财政局", "市审计局"]
