"""The Word reader (pipeline/core/readers/docx.py) and its numbering (docx_numbering.py).

Fixtures are built here: raw WordprocessingML parts zipped by ``docx_bytes`` (numbering.xml typed by
hand, as Word writes it), and python-docx documents for merged cells. Expected numbers are typed by hand
from what Word prints for each format.
"""
from __future__ import annotations

import io
import struct
import zipfile

import pytest

from pipeline.core.document import Cell, Paragraph
from pipeline.core.readers import docx as docx_reader
from pipeline.core.readers import read_document
from pipeline.core.readers.docx_numbering import chinese_counting, chinese_counting_thousand, format_number
from pipeline.errors import PlanDataError

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(body: str, numbering: str | None = None, styles: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types/>')
        archive.writestr("word/document.xml",
                         f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}>'
                         f"<w:body>{body}</w:body></w:document>")
        if numbering is not None:
            archive.writestr("word/numbering.xml", f"<w:numbering {NS}>{numbering}</w:numbering>")
        if styles is not None:
            archive.writestr("word/styles.xml", f"<w:styles {NS}>{styles}</w:styles>")
    return buffer.getvalue()


def p(text: str, num_id: str | None = None, ilvl: int | None = None, style: str | None = None) -> str:
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num_id is not None or ilvl is not None:
        props += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + \
                 (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "") + "</w:numPr>"
    return f"<w:p><w:pPr>{props}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, suff: str | None = "nothing", extra: str = "") -> str:
    suffix = f'<w:suff w:val="{suff}"/>' if suff else ""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{suffix}'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')


def abstract(abstract_id: int, *levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{"".join(levels)}</w:abstractNum>'


def num(num_id: int, abstract_id: int, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def paragraphs(data: bytes) -> list[str]:
    return [block.text for block in read_document(data, "notice.docx").paragraphs()]


# -- numbering formats ------------------------------------------------------------------------------------


def test_number_formats_typed_by_hand():
    assert [chinese_counting(n) for n in (1, 9, 10, 11, 20, 21, 99, 100, 105)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九", "一〇〇", "一〇五"]
    assert [chinese_counting_thousand(n) for n in (1, 10, 11, 19, 20, 101, 110, 1000, 1010, 10001)] == [
        "一", "十", "十一", "十九", "二十", "一百零一", "一百一十", "一千", "一千零一十", "一万零一"]
    assert [format_number(n, "ideographTraditional") for n in (1, 2, 10, 11)] == ["甲", "乙", "癸", "11"]
    assert [format_number(n, "decimalEnclosedCircle") for n in (1, 2, 20, 21)] == ["①", "②", "⑳", "21"]
    assert [format_number(n, "decimal") for n in (1, 12)] == ["1", "12"]


@pytest.mark.parametrize("fmt, text, expected", [
    ("decimal", "%1.", ["1.甲", "2.乙", "3.丙"]),
    ("chineseCounting", "%1、", ["一、甲", "二、乙", "三、丙"]),
    ("chineseCountingThousand", "（%1）", ["（一）甲", "（二）乙", "（三）丙"]),
    ("ideographTraditional", "%1.", ["甲.甲", "乙.乙", "丙.丙"]),
    ("decimalEnclosedCircle", "%1", ["①甲", "②乙", "③丙"]),
])
def test_each_format_with_its_level_text(fmt, text, expected):
    data = docx_bytes(p("甲", "1", 0) + p("乙", "1", 0) + p("丙", "1", 0),
                      abstract(0, lvl(0, fmt, text)) + num(1, 0))
    assert paragraphs(data) == expected


def test_chinese_counting_runs_past_ten():
    data = docx_bytes("".join(p(f"第{n}项", "1", 0) for n in range(1, 13)),
                      abstract(0, lvl(0, "chineseCounting", "%1、")) + num(1, 0))
    assert paragraphs(data)[9:] == ["十、第10项", "十一、第11项", "十二、第12项"]


def test_tab_suffix_is_the_default_and_a_start_value_is_honoured():
    data = docx_bytes(p("甲", "1", 0) + p("乙", "1", 0), abstract(0, lvl(0, "decimal", "%1.", start=3, suff=None))
                      + num(1, 0))
    assert paragraphs(data) == ["3.\t甲", "4.\t乙"]


def test_multi_level_numbers_restart_below_and_use_each_level_format_unless_legal():
    levels = (lvl(0, "chineseCounting", "%1、") + lvl(1, "decimal", "%1.%2") +
              lvl(2, "decimal", "%1.%2.%3", extra="<w:isLgl/>"))
    body = (p("总体要求", "1", 0) + p("甲", "1", 1) + p("甲一", "1", 2) + p("乙", "1", 1)
            + p("保障措施", "1", 0) + p("丙", "1", 1))
    assert paragraphs(docx_bytes(body, abstract(0, levels) + num(1, 0))) == [
        "一、总体要求", "一.1甲", "1.1.1甲一", "一.2乙", "二、保障措施", "二.1丙"]


def test_lvl_override_start_override_restarts_and_a_whole_level_override_replaces_the_level():
    numbering = (abstract(0, lvl(0, "decimal", "%1.")) + num(1, 0)
                 + num(2, 0, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>')
                 + num(3, 0, '<w:lvlOverride w:ilvl="0">' + lvl(0, "chineseCounting", "第%1条", start=5)
                   + "</w:lvlOverride>"))
    body = p("甲", "1", 0) + p("乙", "1", 0) + p("丙", "2", 0) + p("丁", "2", 0) + p("戊", "3", 0)
    # num 3 shares abstract 0's counter (at 6 after num 2): its own level text and format print it.
    assert paragraphs(docx_bytes(body, numbering)) == ["1.甲", "2.乙", "5.丙", "6.丁", "第七条戊"]


def test_numbering_inherited_from_the_paragraph_style_and_its_based_on_chain():
    styles = ('<w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>'
              '<w:style w:type="paragraph" w:styleId="Item"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr>'
              '</w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="SubItem"><w:basedOn w:val="Item"/><w:pPr><w:numPr>'
              '<w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>')
    numbering = abstract(0, lvl(0, "chineseCounting", "%1、"), lvl(1, "chineseCountingThousand", "（%2）")) + num(1, 0)
    body = (p("通知", style="Normal") + p("总体要求", style="Item") + p("加强领导", style="SubItem")
            + p("明确分工", style="SubItem") + p("不编号", "0", style="Item") + p("保障措施", style="Item"))
    assert paragraphs(docx_bytes(body, numbering, styles)) == [
        "通知", "一、总体要求", "（一）加强领导", "（二）明确分工", "不编号", "二、保障措施"]


def test_python_docx_list_number_style_reads_with_its_number():
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("方案")
    document.add_paragraph("强化管理。", style="List Number")
    document.add_paragraph("推进工作。", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    assert paragraphs(buffer.getvalue()) == ["方案", "1.\t强化管理。", "2.\t推进工作。"]


# -- tables -------------------------------------------------------------------------------------------------


def tc(text: str, span: int = 1, merge: str | None = None) -> str:
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + \
            ((f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>") if merge else "")
    content = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("|")) if text else "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


def tr(*cells: str, header: bool = False) -> str:
    return "<w:tr>" + ("<w:trPr><w:tblHeader/></w:trPr>" if header else "") + "".join(cells) + "</w:tr>"


def test_grid_span_and_vmerge_with_a_header_over_two_rows_and_a_repeated_header():
    table = ("<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
             + tr(tc("序号", merge="restart"), tc("责任", span=2), header=True)
             + tr(tc("", merge="continue"), tc("牵头单位"), tc("配合单位"), header=True)
             + tr(tc("1"), tc("市发改委", merge="restart"), tc("市财政局"))
             + tr(tc("2"), tc("", merge="continue"), tc("市教育局|市科技局"))
             + tr(tc("序号"), tc("牵头单位"), tc("配合单位"))  # the header printed again after a page break
             + tr(tc("3"), tc("市住建委"), tc("市水务局"))
             + "</w:tbl>")
    document = read_document(docx_bytes(p("附件") + table + p("结尾")), "notice.docx")
    [grid] = document.tables()
    assert grid.header_rows == 2
    assert [[cell.text for cell in row] for row in grid.rows] == [
        ["序号", "责任", "责任"],
        ["序号", "牵头单位", "配合单位"],
        ["1", "市发改委", "市财政局"],
        ["2", "市发改委", "市教育局\n市科技局"],
        ["序号", "牵头单位", "配合单位"],
        ["3", "市住建委", "市水务局"],
    ]
    # lines: 1 附件, 2 -, 3 序号, 4 责任, 5 -, 6 牵头单位, 7 配合单位, 8 -, 9 1, 10 市发改委, 11 市财政局, 12 -,
    # 13 2, 14 市教育局, 15 市科技局, 16 -, 17 序号, 18 牵头单位, 19 配合单位, 20 -, 21 3, 22 市住建委,
    # 23 市水务局, 24 -, 25 结尾
    assert grid.rows[1][0] == Cell("序号", 3, 3, (0, 0))
    assert grid.rows[0][2] == Cell("责任", 4, 4, (0, 1))
    assert grid.rows[3] == (Cell("2", 13, 13), Cell("市发改委", 10, 10, (2, 1)), Cell("市教育局\n市科技局", 14, 15))
    assert grid.rows[5][2] == Cell("市水务局", 23, 23)
    assert document.blocks[-1] == Paragraph(25, "结尾", True)
    lines = document.text.split("\n")
    assert lines[13:15] == ["市教育局", "市科技局"]


def test_python_docx_merged_cells():
    docx = pytest.importorskip("docx")
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for column, text in enumerate(["序号", "重点任务", "牵头单位"]):
        table.cell(0, column).text = text
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "推进甲"
    table.cell(2, 0).text, table.cell(2, 1).text = "2", "推进乙"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "市财政局"  # vMerge
    category = document.add_table(rows=2, cols=3)
    category.cell(0, 0).merge(category.cell(0, 2)).text = "一、类别"  # gridSpan
    category.cell(1, 0).text = "3"
    buffer = io.BytesIO()
    document.save(buffer)
    first, second = read_document(buffer.getvalue(), "notice.docx").tables()
    assert [[cell.text for cell in row] for row in first.rows] == [
        ["序号", "重点任务", "牵头单位"], ["1", "推进甲", "市财政局"], ["2", "推进乙", "市财政局"]]
    assert first.rows[2][2].origin == (1, 2) and first.rows[1][2].origin is None
    assert [[cell.text for cell in row] for row in second.rows] == [["一、类别"] * 3, ["3", "", ""]]
    assert [cell.origin for cell in second.rows[0]] == [None, (0, 0), (0, 0)]


def test_a_layout_table_around_the_article_gives_paragraphs_with_their_numbers():
    numbering = abstract(0, lvl(0, "chineseCounting", "%1、")) + num(1, 0)
    box = ("<w:tbl>" + tr(tc("") .replace("<w:p/>", p("某某方案") + p("总体要求", "1", 0) + p("保障措施", "1", 0)))
           + "</w:tbl>")
    document = read_document(docx_bytes(box + p("附件"), numbering), "notice.docx")
    assert document.tables() == []
    assert [block.text for block in document.paragraphs()] == ["某某方案", "一、总体要求", "二、保障措施", "附件"]


def test_deleted_and_hidden_text_and_field_codes_are_not_printed():
    body = ('<w:p><w:r><w:t>加强</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>'
            '<w:ins><w:r><w:t>组织</w:t></w:r></w:ins><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>'
            '<w:r><w:instrText> PAGE </w:instrText></w:r><w:hyperlink><w:r><w:t>领导</w:t></w:r></w:hyperlink></w:p>')
    assert paragraphs(docx_bytes(body)) == ["加强组织领导"]


# -- bad files ----------------------------------------------------------------------------------------------


def _error(data: bytes) -> str:
    with pytest.raises(PlanDataError) as caught:
        read_document(data, "dir/bad.docx")
    text = str(caught.value)
    assert text.startswith("dir/bad.docx: ") and "\n" not in text
    return text


def test_a_file_that_is_not_a_zip_is_refused():
    assert "not a Word file" in _error(b"\xd0\xcf\x11\xe0 an old .doc file")


def test_a_zip_without_a_document_and_a_document_without_text_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    assert "holds no word/document.xml" in _error(buffer.getvalue())
    assert "no text" in _error(docx_bytes("<w:p/><w:p><w:r><w:t>  </w:t></w:r></w:p>"))


def test_malformed_xml_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document")
    assert "word/document.xml is not well-formed XML" in _error(buffer.getvalue())


def test_a_part_declared_larger_than_the_limit_is_refused_before_expanding(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_EXPANDED_BYTES", 10_000)
    data = docx_bytes(p("很" * 5000))  # 15,000 bytes of UTF-8 text, a few hundred compressed
    assert "word/document.xml declares 15" in _error(data) and "past the 10000-byte limit" in _error(data)


def test_a_part_that_expands_past_the_limit_while_read_is_refused_whatever_its_header_says(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_EXPANDED_BYTES", 10_000)
    data = docx_bytes(p("甲"))  # declares a few hundred bytes
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info: io.BytesIO(b" " * 20_000))
    assert "word/document.xml expands past the 10000-byte limit" in _error(data)


def test_the_limit_counts_all_parts_read_together(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_EXPANDED_BYTES", 10_000)
    data = docx_bytes(p("甲"), numbering="<!--" + "x" * 9_900 + "-->")
    assert "word/numbering.xml declares" in _error(data)


def test_a_part_whose_declared_size_lies_is_never_expanded_past_it(monkeypatch):
    data = bytearray(docx_bytes(p("很" * 5000)))
    # Shrink the expanded size that the central directory declares for word/document.xml to 100 bytes:
    # the reader stops there (the CRC then fails) instead of trusting the header.
    name = b"word/document.xml"
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + name_length]) == name:
            struct.pack_into("<I", data, central + 24, 100)
        central = data.find(b"PK\x01\x02", central + 4)
    message = _error(bytes(data))
    assert "damaged Word file" in message or "not well-formed" in message
