"""Numbering marks and unit-line labels, in the full- and half-width forms publishers print.

Matching is done on the printed text itself (no NFKC), so the captured parts
are always substrings of the original line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
# Heading numbers: 一…九, 十, 十一…十九, 二十…九十九 (not 十十, not 二二).
_CN_NUM = "(?:[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_SPACE = r"[ \t\u3000\u00a0]*"

CHAPTER = re.compile(rf"^(?P<label>(?P<num>{_CN_NUM}){_SPACE}[、.．]){_SPACE}(?P<rest>.*)$")
SECTION = re.compile(rf"^(?P<label>[（(]{_SPACE}(?P<num>{_CN_NUM}){_SPACE}[）)]{_SPACE}、?){_SPACE}(?P<rest>.*)$")
# The look-ahead keeps decimals and amounts ("3.5万元", "1.2亿") from reading as
# item 3 or 1: a mark followed directly by a digit is not an item mark, unless
# the digits are a year ("2.2009年底前…" is item 2).
_DIGIT = "[0-9０-９]"
_NOT_DECIMAL = rf"(?!(?![12１２]{_DIGIT}{{3}}{_SPACE}年){_DIGIT})"
ITEM = re.compile(rf"^(?P<label>(?P<num>{_DIGIT}{{1,3}}){_SPACE}[.．、]){_NOT_DECIMAL}{_SPACE}(?P<rest>.*)$")
UNIT_LINE = re.compile(rf"^(?P<label>[\u4e00-\u9fff]{{2,6}}(?:单位|部门)){_SPACE}[:：]{_SPACE}(?P<rest>.*)$")

ROLE_LABELS = {
    "牵头单位": "lead", "牵头部门": "lead",
    "协办单位": "co", "协办部门": "co", "配合单位": "co", "配合部门": "co",
    "参与单位": "co", "参与部门": "co",
    "责任单位": "responsible", "责任部门": "responsible",
}
# Misprints seen in real notices, read as the role they were meant to be.
MISPRINTED_ROLE_LABELS = {"政协单位": "co"}  # 六（三）2 of the Taizhou 2008 notice


@dataclass(frozen=True)
class Heading:
    level: int  # 1 chapter, 2 section, 3 item
    ordinal: int
    label: str  # numbering as printed
    rest: str  # text after the numbering


_CN_NUMERAL = re.compile(r"^(?:(?P<tens>[一二两三四五六七八九])?十(?P<units>[一二三四五六七八九])?"
                         r"|(?P<digits>[〇零一二两三四五六七八九]+))$")


def chinese_numeral(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23; digit strings 二〇〇八 → 2008.

    Raises ValueError for anything else (十十, 一二十, empty), so a malformed
    number is never silently read as some other number.
    """
    found = _CN_NUMERAL.match(text)
    if not found:
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if found["digits"] is not None:
        value = 0
        for char in found["digits"]:
            value = value * 10 + _CN_DIGITS[char]
        return value
    tens, units = found["tens"], found["units"]
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _arabic(text: str) -> int:
    return int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def match_heading(text: str) -> Heading | None:
    for level, pattern, to_int in ((1, CHAPTER, chinese_numeral), (2, SECTION, chinese_numeral),
                                   (3, ITEM, _arabic)):
        found = pattern.match(text)
        if found and found.group("rest"):
            try:
                ordinal = to_int(found.group("num"))
            except ValueError:  # 十十、… is text that happens to start with numerals
                return None
            return Heading(level, ordinal, found.group("label"), found.group("rest"))
    return None


def match_unit_line(text: str) -> tuple[str, str] | None:
    """(raw label, list text) for a line such as ``牵头单位：市纪委、市委组织部``."""
    found = UNIT_LINE.match(text)
    if found:
        return found.group("label"), found.group("rest")
    return None
