"""Responsibility tables -> tasks, with hand-built Documents: every rule of pipeline/core/table_tasks.py.

Expected values are typed from the fixtures as a reader would read them, never copied from the parser.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.core.document import Cell, Document, Paragraph, Table
from pipeline.core.notice import parse_notice_document
from pipeline.core.table_tasks import split_cell_units

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

# A merged cell's covered positions: UP = the cell above, LEFT = the cell to the left.
UP, LEFT = object(), object()


def table(grid: list[list], first_line: int = 100, header_rows: int = 0, unaligned=frozenset()) -> Table:
    """A Table from rows of strings; each cell is printed on its own line, in row order."""
    rows: list[list[Cell]] = []
    line = first_line
    for r, printed in enumerate(grid):
        row: list[Cell] = []
        for c, value in enumerate(printed):
            if value is UP or value is LEFT:
                source_r, source_c = (r - 1, c) if value is UP else (r, c - 1)
                source = rows[source_r][source_c] if value is UP else row[source_c]
                origin = source.origin or (source_r, source_c)
                row.append(Cell(source.text, source.line_start, source.line_end, origin))
                continue
            row.append(Cell(value, line, line + value.count("\n")))
            line += value.count("\n") + 2
        rows.append(row)
    return Table(tuple(tuple(row) for row in rows), first_line, line, header_rows, frozenset(unaligned))


HEAD = [Paragraph(1, "某区关于印发《某区重点任务分工方案》的通知"), Paragraph(3, "各街镇，区政府各委、办、局："),
        Paragraph(5, "现印发给你们，请认真贯彻执行。"), Paragraph(7, "某区人民政府办公室"), Paragraph(9, "2024年10月10日"),
        Paragraph(11, "一、工作目标"), Paragraph(13, "到2026年，完成各项任务。")]


def rows_of(blocks, registry) -> dict[str, list[dict]]:
    document = Document("t.txt", "text", "utf-8", "", tuple(blocks))
    return parse_notice_document(document, b"x", registry).tables


def tasks_by_id(tables) -> dict[str, dict]:
    return {row["task_id"]: row for row in tables["tasks"]}


def units(tables, task_id: str, role: str) -> list[str]:
    return [row["unit_label"] for row in tables["assignments"] if row["task_id"] == task_id and row["role"] == role]


def pattern(table_name: str, field: str) -> re.Pattern:
    spec = json.loads((SCHEMAS / f"{table_name}.schema.json").read_text(encoding="utf-8"))
    return re.compile(next(f for f in spec["fields"] if f["name"] == field)["constraints"]["pattern"])


def check_patterns(tables) -> None:
    for row in tables["sections"]:
        assert pattern("sections", "section_id").match(row["section_id"]), row["section_id"]
    for row in tables["tasks"]:
        assert pattern("tasks", "task_id").match(row["task_id"]), row["task_id"]
    known = {row["section_id"] for row in tables["sections"]}
    for row in tables["sections"]:
        assert row["parent_id"] is None or row["parent_id"] in known, row
    for row in tables["tasks"]:
        assert row["section_id"] in known, row


SIMPLE = [["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
          ["1", "建设精品道路。", "区建设管理委", "区财政局、区交通委", "2025年6月底"],
          ["2", "推进积水点改造。", "区水务局", "——", "长期坚持"],
          ["3", "说明：以上任务按季度报送。", "—", "/", ""]]


def test_a_body_table_gives_one_task_per_row_naming_a_unit(registry):
    tables = rows_of([*HEAD, table(SIMPLE)], registry)
    tasks = tasks_by_id(tables)
    assert list(tasks) == ["A0.T1.1", "A0.T1.2"]  # row 3 names no unit: not a task
    first = tasks["A0.T1.1"]
    assert (first["label"], first["title"], first["text"]) == ("1", "建设精品道路。", "建设精品道路。")
    assert (first["table_id"], first["table_row"], first["section_id"]) == ("A0.T1", 2, "A0.T1")
    assert units(tables, "A0.T1.1", "lead") == ["区建设管理委"]
    assert units(tables, "A0.T1.1", "co") == ["区财政局", "区交通委"]
    assert units(tables, "A0.T1.2", "co") == []  # —— is an empty cell
    columns = {(row["unit_label"], row["table_column"]) for row in tables["assignments"]}
    assert ("区建设管理委", 3) in columns and ("区交通委", 4) in columns
    assert {row["role_label"] for row in tables["assignments"]} == {"牵头单位", "配合单位"}
    check_patterns(tables)
    parts = {row["section_id"]: row for row in tables["sections"] if row["level"] == 0}
    assert parts["A0"]["kind"] == "attachment" and parts["A0.T1"]["kind"] == "table"
    assert parts["A0.T1"]["parent_id"] == "A0"
    # The outline keeps its plain ids.
    assert "1" in {row["section_id"] for row in tables["sections"]}


def test_deadline_column_is_the_tasks_deadline_as_printed(registry):
    from pipeline.core.outline import parse_document
    document = Document("t.txt", "text", "utf-8", "", (*HEAD, table(SIMPLE)))
    deadlines = {task.task_id: task.deadline for task in parse_document(document).tasks}
    assert deadlines == {"A0.T1.1": "2025年6月底", "A0.T1.2": "长期坚持"}


def test_merged_unit_cell_goes_to_every_row_it_covers(registry):
    grid = [["序号", "工作任务", "责任单位"],
            ["1", "任务甲。", "区水务局、区交通委"],
            ["2", "任务乙。", UP],
            ["3", "任务丙。", "区财政局"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    assert units(tables, "A0.T1.1", "responsible") == ["区水务局", "区交通委"]
    assert units(tables, "A0.T1.2", "responsible") == ["区水务局", "区交通委"]
    assert units(tables, "A0.T1.3", "responsible") == ["区财政局"]


def test_merged_text_cell_repeats_in_the_text_of_every_row(registry):
    grid = [["任务分类", "重点任务（2024-2026）", "2024年工作项目", "牵头部门"],
            ["一、设施品质", "（1）建设精品道路。", "建设100条。", "设施养护处"],
            [UP, "（2）推进农村路。", "改造300公里。", "设施养护处"]]
    tasks = tasks_by_id(rows_of([*HEAD, table(grid)], registry))
    # No 序号 column: the mark opening the task cell numbers the row; the per-year column is text, not a deadline.
    assert list(tasks) == ["A0.T1.1", "A0.T1.2"]
    assert tasks["A0.T1.2"]["text"] == "一、设施品质\n（2）推进农村路。\n改造300公里。"
    assert tasks["A0.T1.2"]["title"] == "（2）推进农村路。"
    assert tasks["A0.T1.2"]["label"] == "（2）"


def test_two_row_header_with_a_split_role_header(registry):
    grid = [["序号", "重点任务", "牵头", "配合"],
            [UP, UP, "部门", "部门"],
            ["1", "任务甲。", "区水务局", "区交通委"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    assert units(tables, "A0.T1.1", "lead") == ["区水务局"]
    assert units(tables, "A0.T1.1", "co") == ["区交通委"]
    assert tasks_by_id(tables)["A0.T1.1"]["table_row"] == 3


def test_two_row_header_with_a_group_header(registry):
    grid = [["序号", "任务内容", "责任分工", LEFT],
            [UP, UP, "牵头单位", "协办单位"],
            ["1", "任务甲。", "区水务局", "区交通委"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    assert units(tables, "A0.T1.1", "lead") == ["区水务局"]
    assert units(tables, "A0.T1.1", "co") == ["区交通委"]


def test_repeated_header_after_a_page_break_is_skipped(registry):
    grid = [["序号", "重点任务", "责任单位"], ["1", "任务甲。", "区水务局"],
            ["序号", "重点任务", "责任单位"], ["2", "任务乙。", "区交通委"]]
    assert list(tasks_by_id(rows_of([*HEAD, table(grid)], registry))) == ["A0.T1.1", "A0.T1.2"]


RUN_ON = [["序号", "改革举措", "主 要 内 容", "指导部门"],
          ["一、知识产权保护方面（共2项）", LEFT, LEFT, LEFT],
          ["1", "举措一", "内容一", "最高人民法院、最高人民检察院"],
          ["2", "举措二", "内容二", "国家知识产权局"],
          ["二、科技金融创新方面（共2项）", LEFT, LEFT, LEFT],
          ["3", "举措三", "内容三", "科技部"],
          ["6", "举措六", "内容六", "国家发展改革委"]]


def test_category_rows_are_sections_and_run_on_numbering_follows_the_table(registry):
    tables = rows_of([*HEAD, table(RUN_ON)], registry)
    tasks = tasks_by_id(tables)
    assert list(tasks) == ["A0.T1.1", "A0.T1.2", "A0.T1.3", "A0.T1.6"]
    assert tasks["A0.T1.6"]["section_id"] == "A0.T1.C2"
    assert tasks["A0.T1.1"]["text"] == "举措一\n内容一"
    assert units(tables, "A0.T1.1", "guide") == ["最高人民法院", "最高人民检察院"]
    categories = [row for row in tables["sections"] if row["kind"] == "category"]
    assert [(row["section_id"], row["parent_id"], row["label"], row["heading"], row["ordinal"]) for row in categories] == [
        ("A0.T1.C1", "A0.T1", "一、", "知识产权保护方面（共2项）", 1),
        ("A0.T1.C2", "A0.T1", "二、", "科技金融创新方面（共2项）", 2)]
    check_patterns(tables)


RESTART = [["序号", "工作任务", "主要工作内容", "牵头单位", "配合单位"],
           ["—", "构建产消平衡的处置体系", LEFT, LEFT, LEFT],
           ["（一）", "推动源头减量", "在项目规划中增加内容。", "建设主管部门、区规划资源局", "区水务局"],
           ["（二）", "落实码头规划", "建设转运码头。", "区建设管理委", "——"],
           ["", "", "开展码头备案工作。", "区绿化市容局", "——"],
           ["", "", "建立健全标准。", "区建设管理委", "区绿化市容局"],
           ["二", "构建执法打击体系", LEFT, LEFT, LEFT],
           ["（一）", "严查非法排放", "依法查处。", "区城管执法局", "公安青浦分局"],
           ["（二）", "运用数据平台", "共享研判。", "——", "属地街镇、区数据局"]]


def test_numbering_restarting_in_each_category_follows_the_category(registry):
    tables = rows_of([*HEAD, table(RESTART)], registry)
    tasks = tasks_by_id(tables)
    assert list(tasks) == ["A0.T1.C1.1", "A0.T1.C1.2", "A0.T1.C1.2-2", "A0.T1.C1.2-3", "A0.T1.C2.1", "A0.T1.C2.2"]
    # A content row continuing a numbered task keeps its number and its task cell's place empty.
    assert tasks["A0.T1.C1.2-2"]["text"] == "开展码头备案工作。"
    assert tasks["A0.T1.C1.2-3"]["label"] == "（二）"
    assert units(tables, "A0.T1.C1.2-2", "lead") == ["区绿化市容局"]
    assert units(tables, "A0.T1.C2.2", "lead") == []  # —— as lead
    assert units(tables, "A0.T1.C2.2", "co") == ["属地街镇", "区数据局"]
    categories = {row["section_id"]: row for row in tables["sections"] if row["kind"] == "category"}
    # — is no numbering: category 一 takes its position; 二 its number.
    assert (categories["A0.T1.C1"]["label"], categories["A0.T1.C1"]["ordinal"]) == ("—", 1)
    assert (categories["A0.T1.C2"]["label"], categories["A0.T1.C2"]["heading"]) == ("二", "构建执法打击体系")
    check_patterns(tables)


def test_continuation_rows_merged_from_above_take_the_same_suffixes(registry):
    grid = [row[:] for row in RESTART]
    grid[4][:2] = [UP, UP]
    grid[5][:2] = [UP, UP]
    tasks = tasks_by_id(rows_of([*HEAD, table(grid)], registry))
    assert "A0.T1.C1.2-3" in tasks
    assert tasks["A0.T1.C1.2-2"]["text"] == "落实码头规划\n开展码头备案工作。"


def test_rows_without_a_number_take_their_order(registry):
    grid = [["重点任务", "责任单位"], ["任务甲。", "区水务局"], ["任务乙。", "区交通委"]]
    assert list(tasks_by_id(rows_of([*HEAD, table(grid)], registry))) == ["A0.T1.1", "A0.T1.2"]


def test_an_unaligned_row_is_a_task_without_units(registry):
    grid = [["序号", "重点任务", "牵头部门", "配合部门"],
            ["1", "任务甲。", "区水务局", "区交通委"],
            ["2", "任务乙。", "设施运行处", "设施养护处"]]
    tables = rows_of([*HEAD, table(grid, unaligned={2})], registry)
    tasks = tasks_by_id(tables)
    assert list(tasks) == ["A0.T1.1", "A0.T1.2"]
    assert tasks["A0.T1.2"]["text"] == "任务乙。"
    assert [row for row in tables["assignments"] if row["task_id"] == "A0.T1.2"] == []


def test_a_table_without_a_role_column_gives_no_task_and_no_section(registry):
    grid = [["省（市）", "1995年招生人数", "扩招"], ["江苏", "120", "30"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    assert tables["tasks"] == []
    assert [row for row in tables["sections"] if row["level"] == 0] == []
    assert [row for row in tables["findings"] if row["kind"] in ("no_tasks", "table_units_in_rows")] == []


def test_units_as_row_labels_and_deadlines_as_column_headers_give_one_info_finding(registry):
    grid = [["序号", "街镇", "2026年任务量", "2026年度任务量约1625亩", LEFT, LEFT],
            [UP, UP, UP, "1-2月前", "3月底前完成20%", "6月底前完成60%"],
            ["1", "马陆镇", "122.52", "完成制定方案、\n计划和动员部署等。", "24.50", "73.51"],
            ["2", "安亭镇", "552.22", UP, "110.44", "331.33"]]
    tables = rows_of([*HEAD, table(grid, first_line=200)], registry)
    assert tables["tasks"] == []
    found = [row for row in tables["findings"] if row["kind"] == "table_units_in_rows"]
    assert [(row["line"], row["severity"]) for row in found] == [(200, "info")]
    assert [row for row in tables["findings"] if row["kind"] == "no_tasks"] == []


@pytest.mark.parametrize(("cell", "expected"), [
    ("区建设管理委、区发展改革委、\n区水务局，\n各街镇", ["区建设管理委", "区发展改革委", "区水务局", "各街镇"]),
    ("区水务局\n区交通委", ["区水务局", "区交通委"]),  # a line break between two names separates them
    ("区土方工作\n专班", ["区土方工作专班"]),  # the page's wrap inside one name
    ("市交通委（科信处、宣传处）、市港航中心", ["市交通委（科信处、宣传处）", "市港航中心"]),
    ("区财政局和区税务局", ["区财政局和区税务局"]),  # never split on 和
])
def test_units_in_a_cell(cell, expected):
    assert split_cell_units(cell)[0] == expected


def test_open_ended_cell(registry):
    grid = [["序号", "重点任务", "责任单位"], ["1", "任务甲。", "区建设管理委、区水务局等相关部门，\n各街镇"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    assert units(tables, "A0.T1.1", "responsible") == ["区建设管理委", "区水务局", "相关部门", "各街镇"]
    assert tasks_by_id(tables)["A0.T1.1"]["open_ended"] is True


def test_category_printed_as_one_cell_with_its_number_on_the_first_line(registry):
    grid = [["序号", "工作任务", "牵头单位"],
            ["—\n构建处置体系", LEFT, LEFT],
            ["（一）", "推动源头减量", "区水务局"],
            ["二\n构建执法体系", LEFT, LEFT],
            ["（一）", "严查非法排放", "区城管执法局"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    categories = [(row["section_id"], row["label"], row["heading"]) for row in tables["sections"]
                  if row["kind"] == "category"]
    assert categories == [("A0.T1.C1", "—", "构建处置体系"), ("A0.T1.C2", "二", "构建执法体系")]
    assert [row["task_id"] for row in tables["tasks"]] == ["A0.T1.C1.1", "A0.T1.C2.1"]


def test_a_table_is_headed_by_its_caption_else_by_its_header_words(registry):
    captioned = rows_of([*HEAD, Paragraph(90, "重点任务分工表"), table(SIMPLE)], registry)
    headings = {row["section_id"]: row["heading"] for row in captioned["sections"]}
    assert headings["A0.T1"] == "重点任务分工表"
    # A sentence before the table is text, not a caption.
    plain = rows_of([*HEAD, Paragraph(90, "各单位要抓好落实。"), table(SIMPLE)], registry)
    headings = {row["section_id"]: row["heading"] for row in plain["sections"]}
    assert headings["A0.T1"] == "序号 / 重点任务 / 牵头单位 / 配合单位 / 完成时限"


def test_a_category_number_printed_twice_keeps_the_ids_unique(registry):
    grid = [["序号", "工作任务", "牵头单位"],
            ["一、方面甲", LEFT, LEFT], ["（一）", "任务甲", "区水务局"],
            ["一、方面乙", LEFT, LEFT], ["（一）", "任务乙", "区交通委"]]
    tables = rows_of([*HEAD, table(grid)], registry)
    assert [row["section_id"] for row in tables["sections"] if row["kind"] == "category"] == ["A0.T1.C1", "A0.T1.C2"]
    assert [row["task_id"] for row in tables["tasks"]] == ["A0.T1.C1.1", "A0.T1.C2.1"]


PAGE = """<html><head><meta charset="utf-8"><title>t</title></head><body><div id="content">
<p>某区关于印发《某区重点任务分工方案》的通知</p><p>各街镇：</p><p>现印发给你们，请认真贯彻执行。</p>
<p>一、工作目标</p><p>到2026年，完成各项任务。</p><p>附件：重点任务分工表</p>
<p>某区人民政府办公室</p><p>2024年10月10日</p><p>附件</p><p>重点任务分工表</p>
<table border="1">
<tr><td rowspan="2">序号</td><td rowspan="2">重点任务</td><td colspan="2">责任分工</td><td rowspan="2">完成时限</td></tr>
<tr><td>牵头单位</td><td>配合单位</td></tr>
<tr><td colspan="5">一、源头减量</td></tr>
<tr><td>1</td><td>推动源头减量。</td><td rowspan="2">区建设管理委</td><td>区水务局</td><td>2025年底前</td></tr>
<tr><td>2</td><td>拓展消纳空间。</td><td>——</td><td>长期坚持</td></tr>
<tr><td>序号</td><td>重点任务</td><td>牵头单位</td><td>配合单位</td><td>完成时限</td></tr>
<tr><td colspan="5">二、执法打击</td></tr>
<tr><td>3</td><td>严查非法排放。</td><td>区城管执法局</td><td>公安分局、<br>属地街镇</td><td>2025年6月</td></tr>
</table></div></body></html>"""


def test_a_web_page_table_with_rowspan_colspan_a_two_row_and_a_repeated_header(registry):
    from pipeline.core.notice import parse_notice
    tables = parse_notice(PAGE.encode("utf-8"), "page.html", registry).tables
    tasks = tasks_by_id(tables)
    assert list(tasks) == ["A1.T1.1", "A1.T1.2", "A1.T1.3"]  # numbering runs on across the categories
    assert units(tables, "A1.T1.2", "lead") == ["区建设管理委"]  # rowspan: the lead covers rows 1 and 2
    assert units(tables, "A1.T1.2", "co") == []
    assert units(tables, "A1.T1.3", "co") == ["公安分局", "属地街镇"]
    assert [(row["section_id"], row["heading"]) for row in tables["sections"] if row["level"] == 0] == [
        ("A1", "重点任务分工表"), ("A1.T1", "重点任务分工表"), ("A1.T1.C1", "源头减量"), ("A1.T1.C2", "执法打击")]
    check_patterns(tables)
