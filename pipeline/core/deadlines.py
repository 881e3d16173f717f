"""Deadlines: a task's deadline as printed -> the last day it allows, or standing / recurring.

Where a deadline comes from: a responsibility table's deadline column, a labelled line among the unit lines
(``完成时限：2019年底前``), or a label inside a clause (``（牵头单位：A；完成时限：2019年底前）``). A year
printed only in running text is never a deadline. The labels, the forms and the standing and recurring words
are rows of vocabulary.csv (kinds deadline_label, deadline_form, standing, recurring).

How a deadline is read (README, "Deadlines"):

- a recurring word (每年, 每季度…) anywhere in it: ``recurring``, no due date;
- else every date form found in it, left to right; the due date is the latest of them (a span
  ``2019年6月—2020年12月`` or a staged ``2019年试点，2020年底前推广`` is due at its end);
- a form without a year takes the year printed before it in the same deadline (``2019年3月至6月``), else the
  plan's year when that is unambiguous (the title's period is one year, ``2024-2024``, or the title prints a
  single year and no period); else its date is unknown and a ``deadline_year_unknown`` warning names the line;
- else a standing word (长期, 持续推进…): ``standing``, no due date;
- else nothing is read: a ``deadline_unread`` warning names the line, the deadline stays as printed.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import NamedTuple

from pipeline.core import vocabulary
from pipeline.core.marks import chinese_numeral

_SPACE = r"[ \t\u3000\u00a0]*"
_YEAR = r"[12１２][0-9０-９]{3}|[〇○零一二][〇○零一二三四五六七八九]{3}"
_MONTH = r"1[0-2]|0?[1-9]|１[０-２]|０?[１-９]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12][0-9]|0?[1-9]|[１２][０-９]|３[０１]|０?[１-９]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_LAST_MONTH_OF_HALF = {"上": 6, "下": 12}
_DAY_OF_XUN = {"上": 10, "中": 20}  # 下旬 runs to the month's last day
KINDS = ("date", "standing", "recurring")


class Deadline(NamedTuple):
    printed: str
    due_date: dt.date | None
    kind: str | None  # date, standing or recurring; None when no form of the vocabulary reads it


def _source(pattern: str) -> str:
    return (pattern.replace("{year}", f"(?:{_YEAR})").replace("{month}", f"(?:{_MONTH})")
            .replace("{day}", f"(?:{_DAY})").replace("{s}", _SPACE))


@functools.cache
def _forms() -> re.Pattern:
    """Every deadline form in one regex, tried in the vocabulary's order at each position."""
    parts = []
    for index, entry in enumerate(vocabulary.of_kind("deadline_form")):
        source = re.sub(r"\(\?P<(\w+)>", lambda found: f"(?P<{found[1]}_{index}>", _source(entry.pattern))
        parts.append(f"(?P<form_{index}>{source})")
    return re.compile("|".join(parts))


@functools.cache
def _labels() -> re.Pattern:
    words = "|".join(map(re.escape, vocabulary.longest_first("deadline_label")))
    return re.compile(rf"(?P<label>{words}){_SPACE}[:：]{_SPACE}")


LABEL_SOURCE = "(?:" + "|".join(map(re.escape, vocabulary.longest_first("deadline_label"))) + f"){_SPACE}[:：]"
_LINE = re.compile(rf"^{LABEL_SOURCE}{_SPACE}(?P<rest>.+)$")
_TRAILING = "。．.；;，, \u3000"


def match_deadline_line(text: str) -> str | None:
    """The deadline as printed on a labelled line (``完成时限：2019年底前。`` → ``2019年底前``)."""
    found = _LINE.match(text)
    return found["rest"].rstrip(_TRAILING) or None if found else None


def split_deadline(text: str) -> tuple[str, str | None]:
    """A unit list or a clause's text without its labelled deadline, and that deadline as printed:
    ``A、B；完成时限：2019年底前`` → (``A、B``, ``2019年底前``). The deadline runs to the next 。 or ；."""
    found = _labels().search(text)
    if found is None:
        return text, None
    start, end = found.start(), len(text)
    for stop in "。；;":
        at = text.find(stop, found.end())
        if at != -1:
            end = min(end, at)
    head = text[:start].rstrip()
    if head.endswith(("（", "(")):  # 市财政局（完成时限：2019年底前）: the bracket goes with its deadline
        close = min((at for at in (text.find("）", found.end()), text.find(")", found.end())) if at != -1),
                    default=-1)
        if close != -1:
            printed = text[found.end():min(end, close)].strip(_TRAILING) or None
            return (head[:-1].rstrip(_TRAILING) + text[close + 1:]).strip(), printed
    printed = text[found.end():end].strip(_TRAILING) or None
    rest = (text[:start].rstrip(_TRAILING) + text[end:].lstrip("；;")).strip()
    return rest, printed


def _number(text: str) -> int:
    digits = text.translate(_WIDE_DIGITS)
    if digits.isdigit():
        return int(digits)
    return chinese_numeral(text)


def plan_year(period_start: int | None, period_end: int | None, title: str | None) -> int | None:
    """The plan's year when it is unambiguous: a one-year period, or a title printing a single year."""
    if period_start is not None:
        return period_start if period_start == period_end else None
    years = set(re.findall(r"(?<![0-9])([12][0-9]{3})\s*年", title or ""))
    return int(years.pop()) if len(years) == 1 else None


def _date(groups: dict[str, str | None], year: int) -> dt.date:
    if groups.get("q"):
        month = _number(groups["q"]) * 3
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if groups.get("half"):
        return dt.date(year, _LAST_MONTH_OF_HALF[groups["half"]], 30 if groups["half"] == "上" else 31)
    if not groups.get("m"):
        return dt.date(year, 12, 31)
    month = _number(groups["m"])
    if groups.get("d"):
        return dt.date(year, month, _number(groups["d"]))
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, _DAY_OF_XUN.get(groups.get("xun") or "", last))


def read_deadline(printed: str, year: int | None) -> tuple[Deadline, tuple[str, str] | None]:
    """(the deadline read, None or the (finding kind, message) to report). ``year`` is the plan's
    unambiguous year, or None."""
    if any(word in printed for word in vocabulary.longest_first("recurring")):
        return Deadline(printed, None, "recurring"), None
    dates: list[dt.date] = []
    known_year, unknown = None, False
    for found in _forms().finditer(printed):
        index = next(name.split("_", 1)[1] for name, value in found.groupdict().items()
                     if value is not None and name.startswith("form_"))
        groups = {name.rsplit("_", 1)[0]: value for name, value in found.groupdict().items()
                  if name.endswith(f"_{index}") and not name.startswith("form_")}
        if groups.get("y"):
            known_year = _number(groups["y"])
        form_year = known_year if known_year is not None else year
        if form_year is None:
            unknown = True
            continue
        try:
            dates.append(_date(groups, form_year))
        except ValueError:  # 2月30日: not a date
            return Deadline(printed, None, None), ("deadline_unread", f"deadline {printed} is not a date")
    if unknown:  # one date of it cannot be placed, so its last day is unknown
        return Deadline(printed, None, "date"), (
            "deadline_year_unknown",
            f"deadline {printed} prints no year and the plan's period gives none: due_date is empty")
    if dates:
        return Deadline(printed, max(dates), "date"), None
    if any(word in printed for word in vocabulary.longest_first("standing")):
        return Deadline(printed, None, "standing"), None
    return Deadline(printed, None, None), (
        "deadline_unread", f"deadline {printed} is in no form of the vocabulary: due_date is empty")
