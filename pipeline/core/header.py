"""The notice's header: titles, document number, addressees, issuer, date and preamble.

Issuer and date are read before the body (a covering notice) or at the end of the text (an 意见),
optionally followed by （此件公开发布）.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.core.findings import Finding
from pipeline.core.lines import EDGE_SPACE, Line
from pipeline.core.marks import chinese_numeral

_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUM = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}"
# ○ (U+25CB, a white circle) is how many documents print the zero of 二○○八.
DATE = re.compile(rf"^(?P<y>[0-9０-９]{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*日$")
# (?:年\s*)? rather than 年?\s*: two adjacent \s* would backtrack quadratically
# over a long run of spaces after a year in the title.
PERIOD = re.compile(r"(?P<start>[12][0-9]{3})\s*(?:年\s*)?[—–\-－~〜至到]{1,2}\s*(?P<end>[12][0-9]{3})")


@dataclass
class Header:
    title: str | None = None
    notice_title: str | None = None
    doc_number: str | None = None
    addressees: str | None = None
    notice_body: str | None = None
    issuer: str | None = None
    issue_date: dt.date | None = None
    period_start: int | None = None
    period_end: int | None = None
    preamble: str | None = None
    findings: list[Finding] = field(default_factory=list)


def _number(text: str) -> int:
    """2008, ２００８, 二〇〇八, 八, 十一 → int; ValueError for anything else."""
    ascii_digits = text.translate(_WIDE_DIGITS)
    if ascii_digits.isascii() and ascii_digits.isdigit():
        return int(ascii_digits)
    return chinese_numeral(text)


def parse_date(text: str) -> dt.date | None:
    found = DATE.match(text)
    if not found:
        return None
    try:  # ValueError: 十十月 (not a numeral) or 2月30日 (not a date)
        return dt.date(_number(found["y"]), _number(found["m"]), _number(found["d"]))
    except ValueError:
        return None


# 国发〔2019〕3号, 国办发[2018]128号, 台市委（2008）45号
DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔［\[（(【][0-9０-９]{4}[〕］\]）)】][0-9０-９]{1,4}号$")
# The line under the date that some publishers print: （此件公开发布）, （此件不公开）.
_DISCLOSURE = re.compile(r"^[（(]此件[^（()）]{1,12}[）)]$")
# Words a title ends with; a first line without one wraps onto the next.
_TITLE_END = ("通知", "意见", "方案", "细则", "规划", "纲要", "计划", "办法", "措施", "决定", "规定", "要点")
_TEXT_PUNCTUATION = re.compile(r"[。，：:；]")
# A long addressee list wraps over two or three lines in a web or Word export.
_MAX_ADDRESSEE_LINES = 3
_MAX_ISSUER = 40


@dataclass(frozen=True)
class Signature:
    issuer: str | None
    issue_date: dt.date
    lines: list[Line]


def _is_issuer(text: str) -> bool:
    return 0 < len(text) <= _MAX_ISSUER and not _TEXT_PUNCTUATION.search(text) and parse_date(text) is None


def split_signature(lines: list[Line]) -> tuple[list[Line], Signature | None]:
    """The body without the issuer and date printed after it (an 意见's layout), and that signature."""
    end = len(lines)
    while end and _DISCLOSURE.match(lines[end - 1].text):
        end -= 1
    if not end or parse_date(lines[end - 1].text) is None:
        return lines, None
    date_at = end - 1
    issuer = lines[date_at - 1].text if date_at >= 1 and _is_issuer(lines[date_at - 1].text) else None
    start = date_at - 1 if issuer else date_at
    return lines[:start], Signature(issuer, parse_date(lines[date_at].text), lines[start:])


def _title_lines(lines: list[Line]) -> int:
    """How many lines the first title takes: a wrapped title runs on until a line ends like a title."""
    count = 1
    while (count < len(lines) and count < 3 and not lines[count - 1].text.endswith(_TITLE_END)
           and lines[count].text.endswith(_TITLE_END) and not _TEXT_PUNCTUATION.search(lines[count].text)):
        count += 1
    return count


def _addressee_lines(lines: list[Line]) -> int:
    """How many lines the addressees take: up to the first line ending in a colon, when the lines before
    it read as a wrapped list (no sentence end) rather than as the notice's text. 0 when none."""
    for count, line in enumerate(lines[:_MAX_ADDRESSEE_LINES], start=1):
        if line.text.endswith(("：", ":")):
            return count
        if "。" in line.text or parse_date(line.text):
            return 0
    return 0


def parse_header(lines: list[Line], first_chapter_line: int, signature: Signature | None = None) -> Header:
    header = Header()
    if not lines:
        header.findings.append(Finding(first_chapter_line, "missing_header_field", "no header before the first heading"))
    if signature is not None:
        header.issuer, header.issue_date = signature.issuer, signature.issue_date
    rest = list(lines)
    if rest:
        count = _title_lines(rest)
        first_title = "".join(line.text for line in rest[:count])
        rest = rest[count:]
        if first_title.endswith("通知") and "印发" in first_title:
            header.notice_title = first_title  # a covering notice; the plan's title comes later
        else:
            header.title = first_title
            if rest and ("通知" in rest[0].text or rest[0].text.startswith("关于")) and not rest[0].text.endswith(("：", ":")):
                header.notice_title = rest[0].text
                rest = rest[1:]
    if rest and DOC_NUMBER.match(rest[0].text):
        header.doc_number = rest[0].text
        rest = rest[1:]
    wrapped = _addressee_lines(rest)
    if wrapped:
        header.addressees = "".join(line.text for line in rest[:wrapped]).rstrip("：:").rstrip(EDGE_SPACE)
        rest = rest[wrapped:]
    date_at = next((i for i, line in enumerate(rest) if parse_date(line.text)), None)
    if date_at is not None:
        header.issue_date = parse_date(rest[date_at].text)
        before, after = rest[:date_at], rest[date_at + 1:]
        if before and _is_issuer(before[-1].text):
            header.issuer = before[-1].text
            before = before[:-1]
        while after and _DISCLOSURE.match(after[0].text):
            after = after[1:]
        header.notice_body = "\n".join(line.text for line in before) or None
        rest = after
    elif header.notice_title is not None and header.title is None:
        # A covering notice signed at its end would put its signature here; none is printed.
        header.notice_body = "\n".join(line.text for line in rest) or None
        rest = []
    if header.notice_title is not None and header.title is None:
        if rest and not _TEXT_PUNCTUATION.search(rest[0].text) and len(rest[0].text) <= 60:
            header.title = rest[0].text
            rest = rest[1:]
        else:
            found = _ISSUED_TITLE.search(header.notice_title)
            header.title = found["title"].strip("《》") if found else None
    header.preamble = "\n".join(line.text for line in rest) or None
    period = PERIOD.search(header.title or "")
    if period:
        header.period_start, header.period_end = int(period["start"]), int(period["end"])
    where = lines[0].number if lines else first_chapter_line
    if header.issue_date is None:
        header.findings.append(Finding(where, "missing_issue_date",
                                       "no issue date line (e.g. 2008年8月11日) before the first heading "
                                       "or at the end of the text: issue_date is empty"))
    for name in ("title", "addressees", "issuer"):
        if getattr(header, name) is None:
            header.findings.append(Finding(where, "missing_header_field", f"header field {name} not found"))
    if header.period_start is None:
        header.findings.append(Finding(where, "missing_header_field",
                                       "header field period not found: the title prints no year range"))
    return header


_ISSUED_TITLE = re.compile(r"印发(?P<title>.+)的通知$")
