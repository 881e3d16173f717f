"""The web-page reader (pipeline/core/readers/html.py): content, paragraphs, tables, charset, bad pages.

Fixtures are HTML strings typed here; expectations are read off them by hand. The corpus tier reads
tables/08 and tables/09 from the shared folder and checks them against ../shared/corpus/README.md.
"""
from __future__ import annotations

import pytest

from pipeline.core.document import Cell, Paragraph, Table
from pipeline.core.readers import read_document
from pipeline.errors import PlanDataError
from tests.conftest import shared_dir


def read(html: str, encoding: str = "utf-8", name: str = "notice.html"):
    return read_document(html.encode(encoding), name)


def texts(document) -> list[str]:
    return [block.text for block in document.paragraphs()]


def page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>页面标题</title></head><body>{body}</body></html>"


def test_block_elements_and_br_give_paragraphs_entities_decoded_and_markup_skipped():
    document = read(page(
        '<div id="nav"><a href="/">首页</a></div>'
        '<td id="UCAP-CONTENT"><p>关于印发<b>某某</b>方案的通知</p>'
        '<p>各单位：<br>现将方案印发给你们&amp;请&nbsp;遵照执行。<o:p></o:p></p>'
        '<script>var x = "脚本";</script><style>p {color: red}</style><!-- 注释 -->'
        '<p style="mso-hide:all">隐藏</p><span style="display:none">不显示</span>'
        '<p><st1:chsdate Year="2020">2020年1月2日</st1:chsdate></p></td>'
        '<div class="footer">版权所有</div>'))
    assert texts(document) == ["关于印发某某方案的通知", "各单位：", "现将方案印发给你们&请\u00a0遵照执行。",
                               "2020年1月2日"]
    assert document.text == "关于印发某某方案的通知\n各单位：\n现将方案印发给你们&请\u00a0遵照执行。\n2020年1月2日\n"
    assert [block.line for block in document.paragraphs()] == [1, 2, 3, 4]
    assert document.format == "html" and document.encoding == "utf-8"


def test_a_line_break_in_the_markup_between_chinese_characters_is_dropped_elsewhere_one_space():
    document = read(page('<p>加强组织\n   领导，落实 责任\n单位 and\nmore</p>'))
    assert texts(document) == ["加强组织领导，落实 责任单位 and more"]


def test_without_ucap_content_the_element_with_most_paragraph_text_outside_nav_header_footer():
    document = read(page(
        '<header><p>网站头部很长很长很长很长很长很长很长很长很长很长很长很长很长很长</p></header>'
        '<nav><p>导航一很长很长很长很长很长很长很长很长很长很长很长很长很长</p></nav>'
        '<div class="side"><p>相关链接</p></div>'
        '<div class="article"><p>一、总体要求</p><p>（一）加强领导。</p><p>（二）明确分工。</p></div>'
        '<footer><p>版权所有很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长</p></footer>'))
    assert texts(document) == ["一、总体要求", "（一）加强领导。", "（二）明确分工。"]


def test_merged_cells_rowspan_and_colspan_expanded_with_origin_and_header_over_two_rows():
    document = read(page(
        '<p>附件</p><table>'
        '<tr><th rowspan="2">序号</th><th colspan="2">责任</th></tr>'
        '<tr><th>牵头单位</th><th>配合单位</th></tr>'
        '<tr><td>1</td><td rowspan="2">市发改委</td><td>市财政局</td></tr>'
        '<tr><td>2</td><td>市教育局<br>市科技局</td></tr>'
        '</table><p>结尾</p>'))
    [table] = document.tables()
    assert table.header_rows == 2
    assert [[cell.text for cell in row] for row in table.rows] == [
        ["序号", "责任", "责任"],
        ["序号", "牵头单位", "配合单位"],
        ["1", "市发改委", "市财政局"],
        ["2", "市发改委", "市教育局\n市科技局"],
    ]
    # The rendered text: 附件, blank, header row 1 (2 printed cells), blank, row 2 (2), blank, ...
    assert document.text == ("附件\n\n序号\n责任\n\n牵头单位\n配合单位\n\n1\n市发改委\n市财政局\n\n"
                             "2\n市教育局\n市科技局\n\n结尾\n")
    assert table.rows[0] == (Cell("序号", 3, 3), Cell("责任", 4, 4), Cell("责任", 4, 4, (0, 1)))
    assert table.rows[1][0] == Cell("序号", 3, 3, (0, 0))
    # lines: 1 附件, 2 -, 3 序号, 4 责任, 5 -, 6 牵头单位, 7 配合单位, 8 -, 9 1, 10 市发改委, 11 市财政局, 12 -,
    # 13 2, 14 市教育局, 15 市科技局, 16 -, 17 结尾
    assert table.rows[3] == (Cell("2", 13, 13), Cell("市发改委", 10, 10, (2, 1)), Cell("市教育局\n市科技局", 14, 15))
    assert (table.line_start, table.line_end) == (3, 15)
    assert document.blocks[-1] == Paragraph(17, "结尾", True)


def test_every_cell_line_points_at_its_text_in_the_rendered_text():
    document = read(page('<table><tr><td>甲</td><td></td><td>丙<p>丁</p></td></tr>'
                         '<tr><td colspan="3">一、类别</td></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>'))
    lines = document.text.split("\n")
    for row in document.tables()[0].rows:
        for cell in row:
            assert "\n".join(lines[cell.line_start - 1:cell.line_end]) == cell.text
    assert document.tables()[0].rows[0][1] == Cell("", 2, 2)  # an empty cell is one empty line


def test_a_repeated_header_row_is_kept_as_a_row_of_the_grid():
    document = read(page('<table><tr><td>序号</td><td>牵头单位</td></tr><tr><td>1</td><td>甲局</td></tr>'
                         '<tr><td>序号</td><td>牵头单位</td></tr><tr><td>2</td><td>乙局</td></tr></table>'))
    assert [[cell.text for cell in row] for row in document.tables()[0].rows] == [
        ["序号", "牵头单位"], ["1", "甲局"], ["序号", "牵头单位"], ["2", "乙局"]]


def test_a_layout_table_around_the_article_gives_paragraphs_and_its_nested_data_table():
    article = "".join(f"<p>（{n}）第{n}段。</p>" for n in "一二三")
    document = read(page(
        f'<table width="100%"><tr><td class="left"><p>一、总体要求</p>{article}'
        '<table><tr><td>序号</td><td>牵头单位</td></tr><tr><td>1</td><td>市财政局</td></tr></table>'
        '<p>二、保障措施</p></td></tr></table>'))
    assert texts(document) == ["一、总体要求", "（一）第一段。", "（二）第二段。", "（三）第三段。", "二、保障措施"]
    [table] = document.tables()
    assert [[cell.text for cell in row] for row in table.rows] == [["序号", "牵头单位"], ["1", "市财政局"]]


def test_a_cell_with_many_paragraphs_makes_a_layout_table():
    long_cell = "".join(f"<p>第{n}段</p>" for n in range(1, 11))
    document = read(page(f'<div id="UCAP-CONTENT"><table><tr><td>甲</td><td>乙</td></tr>'
                         f'<tr><td>丙</td><td>{long_cell}</td></tr></table></div>'))
    assert document.tables() == []
    assert texts(document) == ["甲", "乙", "丙"] + [f"第{n}段" for n in range(1, 11)]


def test_charset_from_meta_gb2312_is_read_as_gb18030():
    # 〇 is not in GB2312: a page labelled gb2312 that prints it decodes only as GB18030.
    html = page("<p>二〇一八年十二月</p>", head='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    document = read(html, encoding="gb18030")
    assert texts(document) == ["二〇一八年十二月"] and document.encoding == "gb18030"


def test_without_a_declaration_utf8_then_gb18030():
    assert read("<p>通知如下</p>", encoding="gb18030").encoding == "gb18030"
    assert read("<p>通知如下</p>").encoding == "utf-8"


@pytest.mark.parametrize("data, message", [
    (b"\xef\xbb\xbf<p>\xe9\x80\x9a\xff</p>", "undecodable bytes at offset 9"),  # 3 BOM + <p> + 通
    ('<meta charset="utf-8"><p>通知如下</p>'.encode("gb18030"), "declared charset utf-8"),
    (b"<p>abc</p>\x00<p>def</p>", "NUL bytes in a web page"),
    ('<meta charset="koi8-r"><p>x</p>'.encode(), "declares charset koi8-r, which is not read"),
    (b"<html><body><script>x</script><p> &nbsp; </p></body></html>", "no text"),
    (b"   \n", "file is empty"),
    (("<div>" * 300 + "<p>正文</p>" + "</div>" * 300).encode(), "nested too deeply"),
])
def test_bad_pages_give_one_line_naming_the_file(data, message):
    with pytest.raises(PlanDataError) as caught:
        read_document(data, "dir/bad.html")
    text = str(caught.value)
    assert text.startswith("dir/bad.html") and message in text and "\n" not in text


def test_htm_suffix_is_read_and_rendering_is_deterministic():
    html = page('<p>甲</p><table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>')
    first, second = read(html, name="a.htm"), read(html, name="a.htm")
    assert first.text == second.text and first.blocks == second.blocks and first.format == "html"


# -- corpus tier: tables/08 and tables/09 ---------------------------------------------------------------


def _corpus(name: str):
    path = shared_dir() / "corpus" / "tables" / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return read_document(path.read_bytes(), name)


@pytest.mark.corpus
def test_08_responsibility_table_grid():
    document = _corpus("08_gov_innovation_reforms_2018.html")
    [table] = document.tables()
    rows = [[cell.text for cell in row] for row in table.rows]
    assert len(rows) == 23 and all(len(row) == 5 for row in rows)
    assert rows[0] == ["序号", "改革举措", "主 要 内 容", "指导部门", "推广范围"]
    categories = [index for index, row in enumerate(rows) if row[0] == row[4] and row[0].endswith("项）")]
    assert categories == [1, 7, 12, 18, 19]  # 四 (18) is followed directly by 五 (19): items 15-20 are cut
    assert rows[1] == ["一、知识产权保护方面（共5项）"] * 5
    assert [cell.origin for cell in table.rows[1]] == [None, (1, 0), (1, 0), (1, 0), (1, 0)]
    items = [row for index, row in enumerate(rows) if index and index not in categories]
    assert [row[0] for row in items] == [str(n) for n in [*range(1, 15), 21, 22, 23]]
    by_number = {row[0]: row for row in items}
    assert (by_number["1"][1], by_number["1"][3], by_number["1"][4]) == (
        "知识产权民事、刑事、行政案件“三合一”审判", "最高人民法院、最高人民检察院、国家知识产权局", "全国")
    assert (by_number["6"][1], by_number["6"][3], by_number["6"][4]) == (
        "以事前产权激励为核心的职务科技成果权属改革",
        "科技部、国家发展改革委、财政部、国家知识产权局、教育部、国务院国资委、中科院、司法部", "8个改革试验区域")
    assert (by_number["23"][1], by_number["23"][3], by_number["23"][4]) == (
        "以地方立法形式建立推动改革创新的决策容错机制", "国家发展改革委、国务院国资委、审计署", "全国")
    paragraphs = texts(document)
    assert paragraphs[:3] == ["国务院办公厅关于推广第二批", "支持创新相关改革举措的通知", "国办发〔2018〕126号"]
    assert "（四）军民深度融合方面6项。" in paragraphs and "国务院办公厅" in paragraphs


@pytest.mark.corpus
def test_09_two_header_rows_expanded():
    document = _corpus("09_gov_tibet_classes_1996.html")
    [table] = document.tables()
    rows = [[cell.text for cell in row] for row in table.rows]
    assert rows[0] == ["省（市）", "1995年招生人数", "扩招", "分年度招生任务", "分年度招生任务", "分年度招生任务"]
    assert rows[1] == ["省（市）", "1995年招生人数", "扩招", "1996年", "1997年", "1998年"]
    assert [cell.origin for cell in table.rows[1][:3]] == [(0, 0), (0, 1), (0, 2)]
    assert rows[2][0] == "总计" and rows[3][0] == "江苏" and rows[-1][0] == "安徽"
    assert len(rows) == 2 + 1 + 19
    assert any("&sp;" in text for text in texts(document))  # the source's broken &nbsp;, as printed
