"""One notice as a .txt, a web page and a Word file (with automatic numbering) gives the same rows through
parse_notice, apart from the source's provenance; the rendered text is the same text, so its sha256 too."""
from __future__ import annotations

import hashlib
import html

import pytest

from pipeline.core.notice import parse_notice
from tests.test_reader_docx import abstract, docx_bytes, lvl, num, p

LINES = [
    "某某市人民政府办公室关于印发某某方案的通知",
    "各区人民政府，市各委、办、局：",
    "现将《某某方案》印发给你们，请认真贯彻执行。",
    "某某市人民政府办公室",
    "2020年1月2日",
    "某某方案",
    "一、总体要求",
    "（一）加强组织领导。建立工作机制。（牵头单位：市发展改革委；配合单位：市财政局）",
    "（二）明确分工。（责任单位：市教育局、市科技局）",
    "二、保障措施",
    "（一）强化督查。（牵头单位：市政府办公室）",
]
TEXT = "\n".join(LINES) + "\n"


def as_html() -> bytes:
    paragraphs = "".join(f"<p style='mso-pagination:none'>{html.escape(line)}<o:p></o:p></p>" for line in LINES)
    return (f'<html><head><meta charset="gbk"><title>某某方案</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><div id="UCAP-CONTENT">{paragraphs}</div>'
            f"<div class='footer'>网站标识码</div></body></html>").encode("gb18030")


def as_docx() -> bytes:
    """The chapter and section marks are Word's automatic numbering, not text."""
    numbering = abstract(0, lvl(0, "chineseCounting", "%1、"), lvl(1, "chineseCountingThousand", "（%2）")) + num(1, 0)
    body = []
    for line in LINES:
        if line[:2] in ("一、", "二、"):
            body.append(p(line[2:], "1", 0))
        elif line.startswith(("（一）", "（二）")):
            body.append(p(line[3:], "1", 1))
        else:
            body.append(p(line))
    return docx_bytes("".join(body), numbering)


PROVENANCE = {"source_file", "source_format", "source_sha256", "source_encoding", "source_bytes"}


def comparable(rows) -> dict:
    return {name: [{key: value for key, value in row.items() if key not in PROVENANCE} for row in table]
            for name, table in rows.tables.items()}


@pytest.mark.parametrize("name, data, fmt, encoding", [
    ("notice.html", as_html(), "html", "gb18030"),
    ("notice.docx", as_docx(), "docx", "utf-8"),
])
def test_a_page_and_a_word_file_give_the_rows_of_the_same_text(registry, name, data, fmt, encoding):
    expected = parse_notice(TEXT.encode("utf-8"), "notice.txt", registry, doc_id="notice")
    got = parse_notice(data, name, registry, doc_id="notice")
    assert comparable(got) == comparable(expected)
    [document] = got.tables["documents"]
    assert (document["source_format"], document["source_encoding"], document["source_file"]) == (fmt, encoding, name)
    assert document["rendered_sha256"] == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert expected.tables["documents"][0]["source_format"] == "text"
    assert len(got.tables["tasks"]) == 3 and {row["unit_label"] for row in got.tables["assignments"]} == {
        "市发展改革委", "市财政局", "市教育局", "市科技局", "市政府办公室"}
