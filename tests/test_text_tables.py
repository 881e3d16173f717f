"""Tables in plain text: runs of cell paragraphs read into Table blocks (pipeline/core/readers/text_tables.py).

Every fixture is typed as its lines; a blank line ends a cell, a single line break stays inside one.
Expected cells and line numbers were worked out by hand from the fixture text."""
from __future__ import annotations

import pytest

from pipeline.core.document import Cell, Paragraph, Table
from pipeline.core.readers.text import read_text, text_paragraphs
from tests.conftest import NOTICE, shared_dir


def read(lines: list[str]):
    return read_text("\n".join(lines).encode("utf-8"), "fixture.txt")


def cells(*spec) -> tuple[Cell, ...]:
    return tuple(Cell(*item) for item in spec)


SPLIT_HEADER = [
    "附件",  # 1
    "",
    "序号",  # 3
    "",
    "重点任务",  # 5
    "",
    "牵头",  # 7
    "",
    "单位",  # 9
    "",
    "配合单位",  # 11
    "",
    "1",  # 13
    "",
    "建立台账。",  # 15
    "",
    "区建设",  # 17
    "管理委",  # 18
    "",
    "区水务局、区财政局",  # 20
    "",
    "2",  # 22
    "",
    "开展检查。",  # 24
    "",
    "区水务局",  # 26
    "",
    "——",  # 28
    "",
    "三、保障措施",  # 30
    "",
    "各单位要加强领导。",  # 32
]


def test_a_header_cell_split_in_two_paragraphs_a_line_break_inside_a_cell_and_the_heading_after_the_table():
    document = read(SPLIT_HEADER)
    assert document.blocks == (
        Paragraph(1, "附件", False),
        Table(rows=(
            cells(("序号", 3, 3), ("重点任务", 5, 5), ("牵头\n单位", 7, 9), ("配合单位", 11, 11)),
            cells(("1", 13, 13), ("建立台账。", 15, 15), ("区建设\n管理委", 17, 18), ("区水务局、区财政局", 20, 20)),
            cells(("2", 22, 22), ("开展检查。", 24, 24), ("区水务局", 26, 26), ("——", 28, 28)),
        ), line_start=3, line_end=28, header_rows=1),
        Paragraph(30, "三、保障措施", True),
        Paragraph(32, "各单位要加强领导。", True),
    )
    assert document.findings == ()


def test_a_header_printed_again_after_a_page_break_is_skipped():
    lines = ["序号", "", "工作任务", "", "责任单位", "",  # 1 3 5
             "1", "", "修订办法。", "", "区司法局", "",  # 7 9 11
             "序号", "", "工作任务", "", "责任单位", "",  # 13 15 17: the header again
             "2", "", "开展培训。", "", "区人社局"]  # 19 21 23
    (table,) = read(lines).blocks
    assert table == Table(rows=(
        cells(("序号", 1, 1), ("工作任务", 3, 3), ("责任单位", 5, 5)),
        cells(("1", 7, 7), ("修订办法。", 9, 9), ("区司法局", 11, 11)),
        cells(("2", 19, 19), ("开展培训。", 21, 21), ("区人社局", 23, 23)),
    ), line_start=1, line_end=23, header_rows=1)


def test_cells_merged_over_rows_are_printed_once_and_carried_to_the_rows_they_cover():
    # 11's shape: a category column before the task column, whose （n） numbers the rows; the units of
    # rows (1) and (2) are printed once, in row (1).
    lines = ["类别", "", "重点任务", "", "牵头单位", "", "配合单位", "",  # 1 3 5 7
             "（一）营商环境", "",  # 9
             "（1）优化审批流程。", "", "区发展改革委", "", "区政务服务办", "",  # 11 13 15
             "（2）推行告知承诺制。", "",  # 17
             "（3）开展信用修复。", "", "区市场监管局", "", "区司法局"]  # 19 21 23
    (table,) = read(lines).blocks
    assert table.rows[1:] == (
        cells(("（一）营商环境", 9, 9), ("（1）优化审批流程。", 11, 11), ("区发展改革委", 13, 13), ("区政务服务办", 15, 15)),
        cells(("（一）营商环境", 9, 9, (1, 0)), ("（2）推行告知承诺制。", 17, 17),
              ("区发展改革委", 13, 13, (1, 2)), ("区政务服务办", 15, 15, (1, 3))),
        cells(("（一）营商环境", 9, 9, (1, 0)), ("（3）开展信用修复。", 19, 19), ("区市场监管局", 21, 21), ("区司法局", 23, 23)),
    )
    assert table.unaligned_rows == frozenset()


def test_category_rows_span_the_table_and_a_task_split_in_content_rows_carries_its_number():
    # 12's shape: a category row prints its numeral and its title; 序号 restarts in each category; the
    # second content row of task （一） prints neither 序号 nor 工作任务.
    lines = ["序号", "", "工作任务", "", "主要工作内容", "", "牵头单位", "", "配合单位", "",  # 1 3 5 7 9
             "一", "", "源头管理", "",  # 11 13
             "（一）", "", "推动减量", "", "开展排查。", "", "区建设管理委", "", "区水务局", "",  # 15 17 19 21 23
             "建立台账。", "", "区绿化市容局", "", "——", "",  # 25 27 29
             "二", "", "执法打击", "",  # 31 33
             "（一）", "", "严查排放", "", "依法查处。", "", "区城管执法局", "", "公安青浦分局"]  # 35 37 39 41 43
    (table,) = read(lines).blocks
    first = ("一\n源头管理", 11, 13)
    second = ("二\n执法打击", 31, 33)
    assert table.rows[1:] == (
        cells(first, *[(*first, (1, 0))] * 4),
        cells(("（一）", 15, 15), ("推动减量", 17, 17), ("开展排查。", 19, 19), ("区建设管理委", 21, 21), ("区水务局", 23, 23)),
        cells(("（一）", 15, 15, (2, 0)), ("推动减量", 17, 17, (2, 1)), ("建立台账。", 25, 25), ("区绿化市容局", 27, 27),
              ("——", 29, 29)),
        cells(second, *[(*second, (4, 0))] * 4),
        cells(("（一）", 35, 35), ("严查排放", 37, 37), ("依法查处。", 39, 39), ("区城管执法局", 41, 41), ("公安青浦分局", 43, 43)),
    )
    assert table.line_end == 43


def test_a_numbered_category_row_in_one_cell_with_numbering_running_on():
    lines = ["序号", "", "改革举措", "", "指导部门", "",  # 1 3 5
             "一、知识产权保护方面（共1项）", "",  # 7
             "1", "", "专利快速审查。", "", "国家知识产权局", "",  # 9 11 13
             "二、科技金融方面（共1项）", "",  # 15
             "2", "", "贷款风险补偿。", "", "人民银行、银保监会"]  # 17 19 21
    (table,) = read(lines).blocks
    first, second = ("一、知识产权保护方面（共1项）", 7, 7), ("二、科技金融方面（共1项）", 15, 15)
    assert table.rows[1:] == (
        cells(first, (*first, (1, 0)), (*first, (1, 0))),
        cells(("1", 9, 9), ("专利快速审查。", 11, 11), ("国家知识产权局", 13, 13)),
        cells(second, (*second, (3, 0)), (*second, (3, 0))),
        cells(("2", 17, 17), ("贷款风险补偿。", 19, 19), ("人民银行、银保监会", 21, 21)),
    )


def test_an_ambiguous_row_is_not_guessed_its_units_are_left_empty_with_one_warning_naming_its_line():
    lines = ["序号", "", "重点任务", "", "牵头单位", "", "配合单位", "",  # 1 3 5 7
             "1", "", "建立机制。", "", "区发展改革委", "", "区财政局", "", "区审计局", "",  # 9 11 13 15 17: 3 units, 2 columns
             "2", "", "跟踪问效。", "",  # 19 21: its units are row 1's, printed once
             "3", "", "开展评估。", "", "区统计局", "", "区财政局"]  # 23 25 27 29
    document = read(lines)
    (table,) = document.blocks
    assert table.unaligned_rows == frozenset({1, 2})
    assert table.rows[1:] == (
        cells(("1", 9, 9), ("建立机制。", 11, 11), ("", 9, 9), ("", 9, 9)),
        cells(("2", 19, 19), ("跟踪问效。", 21, 21), ("", 19, 19), ("", 19, 19)),
        cells(("3", 23, 23), ("开展评估。", 25, 25), ("区统计局", 27, 27), ("区财政局", 29, 29)),
    )
    assert [(f.line, f.kind, f.severity) for f in document.findings] == [
        (9, "table_alignment", "warning"), (19, "table_alignment", "warning")]


def test_header_words_without_numbered_rows_are_not_a_table():
    lines = ["序号", "", "工作任务", "", "以上内容请遵照执行。"]
    document = read(lines)
    assert document.blocks == (Paragraph(1, "序号", False), Paragraph(3, "工作任务", True),
                               Paragraph(5, "以上内容请遵照执行。", True))


def test_the_bundled_notice_reads_as_before_without_a_table():
    text = NOTICE.read_text(encoding="utf-8")
    document = read_text(NOTICE.read_bytes(), NOTICE.name)
    assert document.blocks == tuple(text_paragraphs(text))
    assert document.findings == ()


# -- the shared corpus ---------------------------------------------------------------------------------


def corpus_document(pattern: str):
    (path,) = (shared_dir() / "corpus").glob(pattern)
    return read_text(path.read_bytes(), path.name)


def texts(row) -> list[str]:
    return [cell.text for cell in row]


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["02_*.txt", "03_*.txt", "04_*.txt", "05_*.txt", "06_*.txt", "07_*.txt"])
def test_the_corpus_notices_read_as_before_without_a_table(name):
    (path,) = (shared_dir() / "corpus").glob(name)
    document = read_text(path.read_bytes(), path.name)
    assert document.blocks == tuple(text_paragraphs(path.read_text(encoding="utf-8")))
    assert document.findings == ()


@pytest.mark.corpus
def test_10_the_attachment_table_has_12_rows_with_units_and_its_header_once():
    document = corpus_document("tables/10_*.txt")
    table2, table3, table = document.tables()
    # 表2 and 表3 fill a grid under their captions; 表1 (a header over two rows, 2024年 merged over two
    # rows) does not: its cells stay paragraphs, with an info finding naming its caption's line
    assert (table2.line_start, table2.line_end, len(table2.rows)) == (144, 206, 8)
    assert texts(table2.rows[4]) == ["2027年", "北部科技驿站（朱桥片区）", "4.62", "/"]
    assert (table3.line_start, table3.line_end, len(table3.rows)) == (222, 244, 6)
    assert texts(table3.rows[0]) == ["海绵示范区", "建设目标"] and table3.rows[5][0].text == "西门历史文化风貌区"
    assert [(f.line, f.kind) for f in document.findings] == [(23, "table_not_read")]
    assert [p.text for p in document.paragraphs() if 25 <= p.line <= 29] == ["年份", "达标区域", "达标区域面积"]
    assert table.header_rows == 1
    assert texts(table.rows[0]) == ["序号", "任务类型", "重点内容", "责任单位", "参考文件"]
    body = table.rows[1:]
    assert [row[0].text for row in body] == [str(n) for n in range(1, 13)]
    assert table.unaligned_rows == frozenset()
    by_number = {row[0].text: row for row in body}
    assert by_number["1"][1].text == "海绵城市\n建设管理"
    assert by_number["1"][3].text == "区建设管理委、区发展改革委、区财政局、区规划资源局、\n区水务局、区交通委、\n区绿化市容局等相关部门，\n各街镇"
    assert by_number["2"][1].text == "海绵城市\n系统方案"
    assert by_number["2"][3].text == "区建设管理委"
    assert by_number["12"][1].text == "城镇雨水\n排水系统"
    assert by_number["12"][3].text == "区水务局、区建设管理委、\n区绿化市容局、区交通委、\n区住房保障房屋管理局，各街镇"
    # the header printed again (lines 394-402) is not a row; row 7 starts at line 404
    assert (by_number["7"][0].line_start, table.line_start, table.line_end) == (404, 298, 483)


@pytest.mark.corpus
def test_11_thirty_five_rows_shared_unit_groups_and_the_ambiguous_rows_left_unaligned():
    document = corpus_document("tables/11_*.txt")
    (table,) = document.tables()
    assert [header_cell.text for header_cell in table.rows[0]] == [
        "任务\n分类", "主要方向", "重点任务（2024-2026）", "2024年工作项目", "2025年计划", "2026年计划",
        "牵头\n部门", "配合\n部门", "实施\n主体"]
    body = table.rows[1:]
    assert len(body) == 35
    assert [row[2].text.split("）")[0] for row in body] == [f"（{n}" for n in range(1, 36)]
    row = {n: body[n - 1] for n in range(1, 36)}
    assert texts(row[1])[2:] == ["（1）建设精品道路300条。", "建设精品道路100条。", "建设精品道路100条。",
                                 "建设精品道路100条。", "设施养护处", "各相关部门和单位", "各行业主管部门、各区"]
    assert texts(row[7])[2:] == [
        "（7）推进内环高架“年轻化”工程。", "完成内环高架“年轻化”三期工程。",
        "完成内环高架“年轻化”四期工程前期研究，推进工程分年度接续实施。",
        "持续推进内环高架“年轻化”四期工程，完成年度工程任务。", "设施养护处", "市交通委（计划财务处）", "市道运中心"]
    assert texts(row[17])[2:] == [
        "（17）持续改善水路客运交通出行服务。", "增强轮渡航班信息查询、公示渠道。",
        "积极创建轮渡服务品牌，提升水路客运服务品质。", "推动轮渡软硬件服务设施升级，提高乘客满意度。",
        "港监处", "市交通委（科信处、宣传处）、市港航中心", "久事集团"]
    # unit groups printed once go to each task they cover, with the row where they were printed
    for first, last in [(8, 10), (11, 12), (13, 16), (19, 22), (23, 24)]:
        for n in range(first, last + 1):
            assert texts(row[n])[6:] == texts(row[first])[6:], n
            assert all((cell.origin is None) == (n == first) for cell in row[n][6:]), n
    assert row[9][6].origin == (8, 6)
    assert texts(row[13])[6:] == ["客运处", "各相关部门和单位", "各行业主管部门、各区"]
    unaligned = [3, 4, 5, 26, 29]
    assert table.unaligned_rows == frozenset(unaligned)
    for n in unaligned:
        assert texts(row[n])[6:] == ["", "", ""], n
    alignment = [f for f in document.findings if f.kind == "table_alignment"]
    assert [f.line for f in alignment] == [145, 161, 169, 429, 483]  # the lines of （3）（4）（5）（26）（29）


@pytest.mark.corpus
def test_12_attachment_3_four_categories_and_26_content_rows():
    document = corpus_document("tables/12_*.txt")
    (table,) = document.tables()
    assert texts(table.rows[0]) == ["序号", "工作任务", "主要工作内容", "牵头单位", "配合单位"]
    body = table.rows[1:]
    categories = [i for i, row in enumerate(body) if len({cell.text for cell in row}) == 1]
    assert [body[i][0].text for i in categories] == [
        "—\n构建产消平衡的处置体系", "二\n构建全链条全过程闭环管理体系", "三\n构建全链条全过程闭环执法打击体系",
        "四\n构建数字赋能监管体系"]
    sizes = [b - a - 1 for a, b in zip(categories, [*categories[1:], len(body)])]
    assert sizes == [7, 10, 6, 3]
    assert table.unaligned_rows == frozenset() and document.findings == ()
    one_one, one_two = body[1], body[2]
    assert texts(one_one)[:2] + texts(one_one)[3:] == [
        "（一）", "推动源头减量", "建设主管部门、区规划资源局", "区水务局、区绿化市容局、区国动办、区房管局、区规划资源局"]
    assert texts(one_two)[:2] + texts(one_two)[3:] == [
        "（二）", "提升消纳处置能力", "区土方工作\n专班", "区绿化市容局、区规划资源局、区建设管理委、属地街镇"]
    four_two = body[-1]
    assert texts(four_two)[:2] + texts(four_two)[3:] == [
        "（二）", "运用数据平台共享研判", "——",
        "属地街镇、区建设管理委、区绿化市容局、区水务局、区生态环境局、区城管执法局、区房管局、公安青浦分局、区数据局、区城运中心"]
    # a task split in content rows: only its first row prints 序号 and 工作任务
    continued = body[5]  # table row 6
    assert (continued[0].text, continued[0].origin, continued[2].text) == ("（四）", (5, 0), "开展建筑垃圾转运码头规划、备案工作。")


@pytest.mark.corpus
def test_13_units_as_row_labels_the_merged_first_period_cell_and_the_total():
    document = corpus_document("tables/13_*.txt")
    (table,) = document.tables()
    assert table.header_rows == 2
    assert texts(table.rows[1])[3:] == ["1-2月前", "3月底前完成20%", "6月底前完成60%", "9月底前完成80%",
                                        "11月中旬完成100%", "其中CD类整治任务量"]
    body = table.rows[2:]
    assert [row[1].text for row in body] == ["马陆镇", "安亭镇", "南翔镇", "江桥镇", "徐行镇", "外冈镇", "华亭镇",
                                             "新成路街道", "真新街道", "嘉定工业区", "菊园新区", "总计"]
    assert texts(body[0]) == ["1", "马陆镇", "122.52", "完成制定方案、\n计划和动员部署等。", "24.50", "73.51", "98.02",
                              "122.52", "136.94"]
    assert texts(body[8])[2:] == ["3.41", "完成制定方案、\n计划和动员部署等。", "0.68", "2.05", "2.73", "3.41", "0"]
    assert all(row[3].origin == (2, 3) for row in body[1:])
    assert texts(body[-1])[2:3] + texts(body[-1])[4:] == ["1625.06", "325.01", "975.04", "1300.05", "1625.06", "1580.55"]
    assert [f.kind for f in document.findings] == ["table_group_header"]


def test_the_table_ends_where_cells_stop_fitting_its_columns_the_issuer_and_date_stay_paragraphs():
    lines = ["序号", "", "重点任务", "", "责任单位", "",  # 1 3 5
             "1", "", "完善制度。", "", "区司法局", "",  # 7 9 11
             "上海市某区人民政府办公室", "",  # 13: looks like a unit, but no row of the table is left for it
             "2025年1月6日"]  # 15
    document = read(lines)
    table, issuer, date = document.blocks
    assert (table.line_start, table.line_end, len(table.rows)) == (1, 11, 2)
    assert (issuer, date) == (Paragraph(13, "上海市某区人民政府办公室", True), Paragraph(15, "2025年1月6日", True))


def test_reading_a_table_costs_the_same_per_row_however_long_the_table(monkeypatch):
    from pipeline.core.readers import text_tables

    calls = 0
    cost = text_tables._Aligner.cost

    def counted(self, cell, column):
        nonlocal calls
        calls += 1
        return cost(self, cell, column)

    monkeypatch.setattr(text_tables._Aligner, "cost", counted)

    def rows(n):
        lines = ["序号", "", "重点任务", "", "牵头单位", "", "配合单位", ""]
        for i in range(1, n + 1):
            lines += [str(i), "", f"任务{i}。", "", "区发展改革委", "", "区财政局、区水务局", ""]
        return lines

    measured = {}
    for n in (100, 400):
        calls = 0
        (table,) = read(rows(n)).blocks
        assert len(table.rows) == n + 1
        measured[n] = calls
    assert measured[400] <= 4 * measured[100] * 1.05


def test_a_heading_numbered_like_the_next_row_after_the_table_is_not_a_row():
    lines = ["序号", "", "工作任务", "", "牵头单位", "",  # 1 3 5
             "（一）", "", "推动减量", "", "区建设管理委", "",  # 7 9 11
             "（二）", "", "加强监管", "", "区绿化市容局", "",  # 13 15 17
             "（三）保障措施", "",  # 19: numbered as the next row would be, but a heading with its text
             "各单位要加强领导。"]  # 21
    table, heading, text = read(lines).blocks
    assert [row[0].text for row in table.rows] == ["序号", "（一）", "（二）"]
    assert table.line_end == 17
    assert (heading, text) == (Paragraph(19, "（三）保障措施", True), Paragraph(21, "各单位要加强领导。", True))


CAPTIONED = [
    "表1 示范区建设目标表",  # 1
    "",
    "示范区",  # 3
    "",
    "面积（公顷）",  # 5
    "",
    "建设目标",  # 7
    "",
    "北虹桥商务区", "", "12.5", "", "提高雨水资源利用效率。", "",  # 9 11 13
    "西门风貌区", "", "/", "", "形成文化海绵活力街区。", "",  # 15 17 19
    "（二）推进项目建设",  # 21
]


def test_a_captioned_table_without_header_words_is_read_when_its_cells_fill_a_grid():
    document = read(CAPTIONED)
    caption, table, heading = document.blocks
    assert caption == Paragraph(1, "表1 示范区建设目标表", False)
    assert table == Table(rows=(
        cells(("示范区", 3, 3), ("面积（公顷）", 5, 5), ("建设目标", 7, 7)),
        cells(("北虹桥商务区", 9, 9), ("12.5", 11, 11), ("提高雨水资源利用效率。", 13, 13)),
        cells(("西门风貌区", 15, 15), ("/", 17, 17), ("形成文化海绵活力街区。", 19, 19)),
    ), line_start=3, line_end=19, header_rows=1)
    assert heading == Paragraph(21, "（二）推进项目建设", True)
    assert document.findings == ()


def test_a_captioned_table_that_does_not_fill_a_grid_stays_paragraphs_with_an_info_finding():
    lines = [*CAPTIONED[:14], "西门风貌区", "", "形成文化海绵活力街区。", "", "（二）推进项目建设"]  # 表 row 2 lacks its area
    document = read(lines)
    assert document.tables() == []
    assert [p.line for p in document.paragraphs()] == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]
    assert [(f.line, f.kind, f.severity) for f in document.findings] == [(1, "table_not_read", "info")]
