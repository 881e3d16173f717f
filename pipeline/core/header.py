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
    drafted_by: str | None = None  # a forwarded plan's drafting body, as printed (转发国家教委关于…, 区建设管理委拟定的《…》)
    issuers: list[tuple[str, int]] = field(default_factory=list)  # each issuer as printed, with its line
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
_DISCLOSURE = re.compile(r"^[（(](?:此件|本文)[^（()）]{1,12}[）)]$")  # also （本文有删减）, as gov.cn prints
# Words a title ends with; a first line without one wraps onto the next.
_TITLE_END = ("通知", "意见", "方案", "细则", "规划", "纲要", "计划", "办法", "措施", "决定", "规定", "要点", "请示", "报告")
_TEXT_PUNCTUATION = re.compile(r"[。，：:；]")
# A long addressee list wraps over two or three lines in a web or Word export.
_MAX_ADDRESSEE_LINES = 3
_MAX_ISSUER = 40


@dataclass(frozen=True)
class Signature:
    issuer: str | None
    issue_date: dt.date
    lines: list[Line]
    issuers: tuple[tuple[str, int], ...] = ()


def _is_issuer(text: str) -> bool:
    return 0 < len(text) <= _MAX_ISSUER and not _TEXT_PUNCTUATION.search(text) and parse_date(text) is None


# What a body's name ends with: a line above the issuer line is a further issuer (a joint notice) only when
# every name on it ends so, never a short line of text such as 特此通知.
_BODY_END = ("政府", "办公厅", "办公室", "委员会", "中央", "国务院", "部", "委", "局", "厅", "署", "院", "行", "会",
             "办", "处", "室", "所", "团", "社", "联", "军", "区")
_ISSUER_SPLIT = re.compile(r"[ \t\u3000\u00a0]+")
_MAX_ISSUER_LINES = 6
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _names(text: str) -> list[str]:
    """The issuers printed on one line: joint issuers are separated by spaces (中共中央办公厅　国务院办公厅)."""
    return [name for name in _ISSUER_SPLIT.split(text) if _CJK.search(name)]  # not markup debris (&sp;)


def _is_further_issuer(text: str) -> bool:
    return _is_issuer(text) and all(name.endswith(_BODY_END) for name in _names(text))


def _issuer_lines(before: list[Line]) -> int:
    """How many lines at the end of ``before`` are issuers: the line above the date, and the lines of
    body names above it (a joint notice prints one issuer a line)."""
    if not before or not _is_issuer(before[-1].text):
        return 0
    count = 1
    while (count < len(before) and count < _MAX_ISSUER_LINES and _is_further_issuer(before[-count - 1].text)
           and _is_further_issuer(before[-1].text)):
        count += 1
    return count


def _issuers(lines: list[Line]) -> list[tuple[str, int]]:
    return [(name, line.number) for line in lines for name in _names(line.text)]


def split_signature(lines: list[Line]) -> tuple[list[Line], Signature | None]:
    """The body without the issuer and date printed after it (an 意见's layout), and that signature."""
    end = len(lines)
    while end and _DISCLOSURE.match(lines[end - 1].text):
        end -= 1
    if not end or parse_date(lines[end - 1].text) is None:
        return lines, None
    date_at = end - 1
    count = _issuer_lines(lines[:date_at])
    start = date_at - count
    issuer = "\n".join(line.text for line in lines[start:date_at]) or None
    return lines[:start], Signature(issuer, parse_date(lines[date_at].text), lines[start:],
                                    tuple(_issuers(lines[start:date_at])))


# A plan period printed on a line of its own under the title: （2019—2021年）.
_PERIOD_LINE = re.compile(r"^[（(][^（()）]*[12][0-9]{3}[^（()）]*[）)]$")
_MAX_TITLE_LINES = 4
_MAX_TITLE = 120


def _title_part(text: str) -> bool:
    """A line that can be part of a wrapped title: no sentence punctuation, no date, no document number,
    no addressee colon."""
    return (bool(text) and len(text) <= _MAX_TITLE and not _TEXT_PUNCTUATION.search(text)
            and parse_date(text) is None and not DOC_NUMBER.match(text) and not text.endswith(("：", ":")))


def _ends_title(text: str) -> bool:
    """Ends like a title; a covering or forwarding title (…印发…计划 / …的通知) only with its 通知."""
    if ("印发" in text or "转发" in text) and not text.startswith(("印发", "转发")):
        return text.endswith("通知")
    return text.endswith(_TITLE_END)


def _title_lines(lines: list[Line]) -> int:
    """How many lines the first title takes. A wrapped title (two or more lines, blank lines between them
    or not) runs on to the first line where the joined text ends like a title (…方案, …的通知), and takes
    a period printed on the next line on its own (（2019—2021年）). One line when no run of title-like
    lines ends like a title."""
    count = 1
    joined = lines[0].text if lines else ""
    while not _ends_title(joined) and count < min(len(lines), _MAX_TITLE_LINES) and _title_part(lines[count].text):
        joined += lines[count].text
        count += 1
    if not _ends_title(joined):
        count = 1
    if count < len(lines) and _PERIOD_LINE.match(lines[count].text) and not joined.endswith("通知"):
        count += 1
    return count


def _addressee_lines(lines: list[Line]) -> int:
    """How many lines the addressees take: up to the first line ending in a colon, when the lines before
    it read as a wrapped list (no sentence end) rather than as the notice's text. 0 when none."""
    for count, line in enumerate(lines[:_MAX_ADDRESSEE_LINES], start=1):
        if line.text.endswith(("：", ":")):
            return count
        if "。" in line.text or parse_date(line.text) or _is_title_line(line.text):
            return 0  # addressees are never taken from a title line
    return 0


def _is_title_line(text: str) -> bool:
    return text.endswith(_TITLE_END) or bool(_FORWARDED_TITLE.search(text)) or text.startswith("关于")


def parse_header(lines: list[Line], first_chapter_line: int, signature: Signature | None = None) -> Header:
    header = Header()
    if not lines:
        header.findings.append(Finding(first_chapter_line, "missing_header_field", "no header before the first heading"))
    if signature is not None:
        header.issuer, header.issue_date = signature.issuer, signature.issue_date
        header.issuers = list(signature.issuers)
    rest = list(lines)
    if rest:
        count = _title_lines(rest)
        first_title = "".join(line.text for line in rest[:count])
        rest = rest[count:]
        if first_title.endswith("通知") and ("印发" in first_title or "转发" in first_title):
            header.notice_title = first_title  # a covering or forwarding notice; the plan's title comes later
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
        count = _issuer_lines(before)
        if count:
            header.issuer = "\n".join(line.text for line in before[-count:])
            header.issuers = _issuers(before[-count:])
            before = before[:-count]
        while after and _DISCLOSURE.match(after[0].text):
            after = after[1:]
        header.notice_body = "\n".join(line.text for line in before) or None
        rest = after
    elif header.notice_title is not None and header.title is None:
        # A covering notice signed at its end would put its signature here; none is printed.
        header.notice_body = "\n".join(line.text for line in rest) or None
        rest = []
    if header.notice_title is not None and header.title is None:
        count = _title_lines(rest) if rest else 0
        if count > 1:  # the plan's own title, wrapped (关于内地西藏班（校） / 扩大规模有关问题的请示)
            header.title = "".join(line.text for line in rest[:count])
            rest = rest[count:]
        elif rest and not _TEXT_PUNCTUATION.search(rest[0].text) and len(rest[0].text) <= 60:
            header.title = rest[0].text
            rest = rest[1:]
        else:
            found = _ISSUED_TITLE.search(header.notice_title)
            header.title = found["title"].strip("《》") if found else None
    if header.notice_title is not None:
        header.drafted_by = _drafted_by(header.notice_title, header.notice_body)
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


_ISSUED_TITLE = re.compile(r"(?:印发|转发)(?P<title>.+)的通知$")
# 关于转发市发展改革委《X》的通知, 转发国家教委关于…请示的通知: the body printed after 转发.
_FORWARDED_TITLE = re.compile(r"转发(?P<body>[\u4e00-\u9fff、]{2,30}?)(?:《|关于)")
# 区建设管理委拟定的《X》已经区政府同意: the body that drafted the forwarded plan, in the notice's text.
_DRAFTED_IN_BODY = re.compile(r"(?:^|[。，；])(?P<body>[\u4e00-\u9fff、]{2,30}?)(?:拟定|制定|起草|研究制定|提出)的《")


def _drafted_by(notice_title: str, notice_body: str | None) -> str | None:
    """The forwarded plan's drafting body as printed: after 转发 in the title, else before 拟定的《 in the
    notice's text. None for a notice that issues its own plan (印发)."""
    if "转发" not in notice_title:
        return None
    found = _FORWARDED_TITLE.search(notice_title) or _DRAFTED_IN_BODY.search(notice_body or "")
    return found["body"] if found else None
