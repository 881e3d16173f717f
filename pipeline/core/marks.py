"""Numbering marks and unit-line labels, in the full- and half-width forms publishers print.

Matching is done on the printed text itself (no NFKC), so the captured parts
are always substrings of the original line.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from pipeline.core import vocabulary

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
# Heading numbers: 一…九, 十, 十一…十九, 二十…九十九 (not 十十, not 二二).
_CN_NUM = "(?:[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_SPACE = r"[ \t\u3000\u00a0]*"

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# The look-ahead keeps decimals and amounts ("3.5万元", "1.2亿") from reading as
# item 3 or 1: a mark followed directly by a digit is not an item mark, unless
# the digits are a year ("2.2009年底前…" is item 2).
_DIGIT = "[0-9０-９]"
_NOT_DECIMAL = rf"(?!(?![12１２]{_DIGIT}{{3}}{_SPACE}年){_DIGIT})"


def _mark_source(template: str) -> str:
    return (template.replace("{cn}", _CN_NUM).replace("{s}", _SPACE).replace("{d}", _DIGIT)
            .replace("{not_decimal}", _NOT_DECIMAL))


def _mark_pattern(template: str) -> re.Pattern:
    """The numbering mark alone (no ``^``, no rest), so it can be matched at any position."""
    return re.compile(rf"(?P<label>{_mark_source(template)}){_SPACE}")


# (level, pattern) in the order they are tried, from the vocabulary's mark rows.
MARKS: list[tuple[int, re.Pattern]] = [(entry.level, _mark_pattern(entry.pattern))
                                       for entry in vocabulary.of_kind("mark")]
# Any numbering mark, in one regex without named groups: where it does not match, no mark starts.
ANY_MARK_SOURCE = "|".join(f"(?:{_mark_source(entry.pattern).replace('(?P<num>', '(?:')})"
                           for entry in vocabulary.of_kind("mark"))


def first_mark_regex(marks: tuple[vocabulary.Entry, ...]) -> re.Pattern:
    """The mark rows in one regex, tried in their order: each mark is atomic (it matches as its own
    pattern would, with no backtracking into it) and must leave text after it, else the next is tried."""
    return re.compile("|".join(
        rf"(?>(?P<label{index}>{_mark_source(entry.pattern).replace('(?P<num>', f'(?P<num{index}>')}){_SPACE})"
        r"(?=[\s\S])" for index, entry in enumerate(marks)))


_FIRST_MARK = first_mark_regex(vocabulary.of_kind("mark"))
# Whole-line forms of the first three levels (``rest`` is the text after the mark), for callers that match a line.
CHAPTER, SECTION, ITEM = (re.compile(rf"^{pattern.pattern}(?P<rest>.*)$")
                          for wanted in (1, 2, 3) for level, pattern in MARKS[:3] if level == wanted)

ROLE_LABELS = vocabulary.roles_of("label")
# Misprints seen in real notices, read as the role they were meant to be.
MISPRINTED_ROLE_LABELS = vocabulary.roles_of("misprint")
_LABELS = "|".join(map(re.escape, sorted([*ROLE_LABELS, *MISPRINTED_ROLE_LABELS], key=len, reverse=True)))
UNIT_LINE = re.compile(rf"^(?P<label>[\u4e00-\u9fff]{{2,6}}(?:单位|部门)){_SPACE}[:：]{_SPACE}(?P<rest>.*)$")
# A known label with its colon, wherever it is printed (run on after the text, or inside a bracket).
LABEL_ANYWHERE = re.compile(rf"(?P<label>{_LABELS}){_SPACE}[:：]")
LABEL_ANYWHERE_SOURCE = rf"(?:{_LABELS}){_SPACE}[:：]"  # the same, without a named group


class Heading(NamedTuple):
    level: int  # 1 chapter, 2 section, 3 item, 4 sub-item
    ordinal: int
    label: str  # numbering as printed
    rest: str  # text after the numbering


_CN_NUMERAL = re.compile(r"^(?:(?P<tens>[一二两三四五六七八九])?十(?P<units>[一二三四五六七八九])?"
                         r"|(?P<digits>[〇○零一二两三四五六七八九]+))$")


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


_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _arabic(text: str) -> int:
    return int(text.translate(_WIDE_DIGITS))


def _ordinal(text: str) -> int:
    if text in _CIRCLED:
        return _CIRCLED.index(text) + 1
    if text[0] in "0123456789０１２３４５６７８９":
        return _arabic(text)
    return chinese_numeral(text)


def match_heading(text: str, at: int = 0) -> Heading | None:
    """The numbered heading starting at ``text[at]``; cost bounded by the mark's length, not the line's."""
    found = _FIRST_MARK.match(text, at)
    if found is None:
        return None
    index = found.lastgroup[len("label"):]  # the label group encloses its mark, so it closes last
    try:
        ordinal = _ordinal(found.group(f"num{index}"))
    except ValueError:  # 十十、… is text that happens to start with numerals
        return None
    return Heading(MARKS[int(index)][0], ordinal, found.group(found.lastgroup), text[found.end():])


# The marks that refuse a digit after them (1. before 3.5万元), without that refusal: a paragraph opening with
# one is an item only where its number continues the numbering (11.121人才… after item 10), which the outline
# decides, not the mark.
_DIGIT_LED = [(entry.level, re.compile(rf"^(?P<label>{_mark_source(entry.pattern.replace('{not_decimal}', ''))})"
                                       rf"{_SPACE}(?P<rest>{_DIGIT}[\s\S]*)$"))
              for entry in vocabulary.of_kind("mark") if "{not_decimal}" in entry.pattern]


def match_digit_led_item(text: str) -> Heading | None:
    """The item a paragraph such as ``11.121人才…`` opens if its number continues the numbering."""
    for level, pattern in _DIGIT_LED:
        found = pattern.match(text)
        if found:
            return Heading(level, _ordinal(found["num"]), found["label"], found["rest"])
    return None


def match_unit_line(text: str) -> tuple[str, str] | None:
    """(raw label, list text) for a line such as ``牵头单位：市纪委、市委组织部``."""
    found = UNIT_LINE.match(text)
    if found:
        return found.group("label"), found.group("rest")
    return None
