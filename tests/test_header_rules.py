"""How the header's lines are told apart: notice title, addressees, signature (pipeline.core.header)."""
from __future__ import annotations

import datetime as dt

from pipeline.core.header import parse_header, split_signature
from pipeline.core.lines import Line


def lines(*texts: str) -> list[Line]:
    return [Line(number, text) for number, text in enumerate(texts, start=1)]


def test_addressees_wrapped_over_three_lines_are_read():
    header = parse_header(lines("某某工作方案", "各市、县（市、区）人民政府，", "省政府各部门，", "省直各单位："), 5)
    assert header.addressees == "各市、县（市、区）人民政府，省政府各部门，省直各单位"
    assert header.preamble is None


def test_four_lines_before_a_colon_are_text_not_addressees():
    header = parse_header(lines("某某工作方案", "各市、县（市、区）人民政府，", "省政府各部门，", "省直各单位，",
                                "各有关单位："), 6)
    assert header.addressees is None
    assert header.preamble == "各市、县（市、区）人民政府，\n省政府各部门，\n省直各单位，\n各有关单位："


def test_a_sentence_before_any_colon_means_no_addressees():
    header = parse_header(lines("某某工作方案", "为做好某某工作，制定本方案。"), 3)
    assert header.addressees is None
    assert header.preamble == "为做好某某工作，制定本方案。"


def test_a_notice_title_line_is_read_whatever_the_last_header_line_ends_with():
    header = parse_header(lines("某某工作实施方案", "关于进一步做好某某工作的通知", "各市人民政府："), 4)
    assert (header.title, header.notice_title, header.addressees) == (
        "某某工作实施方案", "关于进一步做好某某工作的通知", "各市人民政府")


def test_the_issuer_line_above_the_closing_date_leaves_the_body():
    body, signature = split_signature(lines("一、主要任务", "做好某某工作。", "某市人民政府", "2020年1月12日"))
    assert [line.text for line in body] == ["一、主要任务", "做好某某工作。"]
    assert signature is not None
    assert (signature.issuer, signature.issue_date) == ("某市人民政府", dt.date(2020, 1, 12))
    assert [line.text for line in signature.lines] == ["某市人民政府", "2020年1月12日"]
