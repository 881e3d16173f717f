"""The notice's header: titles, addressees, issuer, date and preamble, before the first chapter."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.core.findings import Finding
from pipeline.core.lines import Line
from pipeline.core.marks import chinese_numeral

_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUM = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}"
DATE = re.compile(rf"^(?P<y>[0-9０-９]{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*日$")
# (?:年\s*)? rather than 年?\s*: two adjacent \s* would backtrack quadratically
# over a long run of spaces after a year in the title.
PERIOD = re.compile(r"(?P<start>[12][0-9]{3})\s*(?:年\s*)?[—–\-－~〜至到]{1,2}\s*(?P<end>[12][0-9]{3})")


@dataclass
class Header:
    title: str | None = None
    notice_title: str | None = None
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


def parse_header(lines: list[Line], first_chapter_line: int) -> Header:
    header = Header()
    if not lines:
        header.findings.append(Finding(first_chapter_line, "missing_header_field", "no header before the first chapter"))
        header.findings.append(Finding(first_chapter_line, "missing_issue_date", "no issue date before the first chapter"))
        return header
    header.title = lines[0].text
    rest = lines[1:]
    if rest and ("通知" in rest[0].text or rest[0].text.startswith("关于")):
        header.notice_title = rest[0].text
        rest = rest[1:]
    date_at = next((i for i, line in enumerate(rest) if parse_date(line.text)), None)
    if date_at is None:
        header.findings.append(Finding(first_chapter_line, "missing_issue_date",
                                       "no issue date line (e.g. 2008年8月11日) before the first chapter"))
        header.preamble = "\n".join(line.text for line in rest) or None
    else:
        header.issue_date = parse_date(rest[date_at].text)
        before, after = rest[:date_at], rest[date_at + 1:]
        if before:
            header.issuer = before[-1].text
            before = before[:-1]
        if before and before[0].text.endswith(("：", ":")):
            header.addressees = before[0].text.rstrip("：:")
            before = before[1:]
        header.notice_body = "\n".join(line.text for line in before) or None
        header.preamble = "\n".join(line.text for line in after) or None
    period = PERIOD.search(header.title or "")
    if period:
        header.period_start, header.period_end = int(period["start"]), int(period["end"])
    for name in ("notice_title", "addressees", "issuer"):
        if getattr(header, name) is None:
            header.findings.append(Finding(lines[0].number, "missing_header_field", f"header field {name} not found"))
    return header
