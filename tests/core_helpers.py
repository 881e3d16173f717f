"""Shared helpers for the parser-robustness tests (test_variations, test_faults, test_fuzz).

The bundled notice is read once; ``render`` rebuilds it with format variations
(encodings, line ends, spacing, numbering marks, one-line headings, unit-line
labels, unit-list separators, form feeds at page breaks) that must not change any
published table.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.core.notice import NoticeRows, parse_notice
from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError

ROOT = Path(__file__).resolve().parent.parent
NOTICE_PATH = ROOT / "sources" / "taizhou-anticorruption-2008-2012.txt"
NOTICE_FILE = NOTICE_PATH.name


@functools.cache
def unit_registry() -> UnitRegistry:
    return UnitRegistry.from_csv((ROOT / "sources" / "units.csv").read_text(encoding="utf-8"),
                                 (ROOT / "sources" / "unit_aliases.csv").read_text(encoding="utf-8"))


@functools.cache
def bundled_bytes() -> bytes:
    return NOTICE_PATH.read_bytes()


def notice_lines() -> list[str]:
    """The bundled notice's physical lines (it uses LF line ends)."""
    return bundled_bytes().decode("utf-8").split("\n")


def parse(data: bytes, file_name: str = NOTICE_FILE) -> NoticeRows:
    return parse_notice(data, file_name, unit_registry())


def parse_lines(lines: list[str], file_name: str = NOTICE_FILE) -> NoticeRows:
    return parse("\n".join(lines).encode("utf-8"), file_name)


@functools.cache
def original() -> NoticeRows:
    return parse(bundled_bytes())


def assert_one_line_error(error: PlanDataError, file_name: str, line: int | None = None) -> None:
    """A user-facing error: one line, ``file:line: message`` (or ``file: message``)."""
    text = str(error)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(f"{file_name}:"), text
    if line is not None:
        assert error.line == line, text
        assert text.startswith(f"{file_name}:{line}: "), text
    assert error.message.strip(), text


# -- what "the same tables" means ---------------------------------------------------------

# Columns allowed to differ between a format variation and the bundled notice:
# source metadata, printed labels, raw role labels and line numbers.
# Every table (including ones added later, such as citations) loses its line columns.
LINE_COLUMNS = {"line", "line_start", "line_end"}
VOLATILE = {
    "documents": {"source_lines", "rendered_sha256"},  # plus every source_* column; the rendered text varies with the bytes
    "sections": {"label"},
    "tasks": {"label"},
    "assignments": {"role_label"},
}
_MARK_SPACE = "[ \t\u3000\u00a0]*"
# Only the numbering mark at the start of a line: 1. 1． １． 1、 (with any spaces) -> 1.
_ITEM_MARK_AT_LINE_START = re.compile(rf"(?m)^(?P<num>[0-9０-９]{{1,3}}){_MARK_SPACE}[.．、]{_MARK_SPACE}")
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")


def normalise_item_marks(text: str | None) -> str | None:
    """Rewrite the printed item mark at each line start to ``N.``; nothing else.

    tasks.text holds an item's printed line, mark included. Applied to BOTH the
    original and the variation, so a task text that differs anywhere but in the
    numbering mark still fails the comparison.
    """
    if text is None:
        return None
    return _ITEM_MARK_AT_LINE_START.sub(lambda m: f"{int(m['num'].translate(_WIDE))}.", text)


def comparable(rows: NoticeRows) -> dict[str, list[dict]]:
    out = {}
    for table, table_rows in rows.tables.items():
        drop = VOLATILE.get(table, set()) | LINE_COLUMNS
        cleaned = []
        for row in table_rows:
            kept = {key: value for key, value in row.items()
                    if key not in drop and key != "source_sha256"
                    and not (table == "documents" and key.startswith("source_"))}
            if table == "tasks":
                kept["text"] = normalise_item_marks(kept["text"])
            cleaned.append(kept)
        out[table] = cleaned
    return out


def assert_same_tables(got: NoticeRows, expected: NoticeRows, context: str = "") -> None:
    """Table-by-table, row-by-row, so a failure names the first differing row."""
    got_tables, expected_tables = comparable(got), comparable(expected)
    assert got_tables.keys() == expected_tables.keys()
    for table, expected_rows in expected_tables.items():
        got_rows = got_tables[table]
        for index, (got_row, expected_row) in enumerate(zip(got_rows, expected_rows)):
            assert got_row == expected_row, f"{context}: {table} row {index} differs"
        assert len(got_rows) == len(expected_rows), (
            f"{context}: {table} has {len(got_rows)} rows, expected {len(expected_rows)}")
    assert got.doc_id == expected.doc_id


# -- the bundled notice, classified line by line ---------------------------------------------

CN_DIGITS = "一二三四五六七八九"


def cn_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (headings in this notice stay below 100)."""
    tens, units = divmod(value, 10)
    if tens == 0:
        return CN_DIGITS[units - 1]
    return ("" if tens == 1 else CN_DIGITS[tens - 1]) + "十" + (CN_DIGITS[units - 1] if units else "")


def _cn_value(text: str) -> int:
    tens, has_ten, units = text.partition("十")
    if not has_ten:
        return CN_DIGITS.index(text) + 1
    return (CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (CN_DIGITS.index(units) + 1 if units else 0)


@dataclass(frozen=True)
class SourceLine:
    kind: str  # header, chapter, section, item, lead, co, misprint, body
    text: str  # as printed in the bundled notice
    number: int = 0  # heading number
    rest: str = ""  # heading text after the mark, or a unit line's list


_PATTERNS = (
    ("chapter", re.compile(r"^(?P<num>[一二三四五六七八九十]+)、(?P<rest>.+)$")),
    ("section", re.compile(r"^（(?P<num>[一二三四五六七八九十]+)）(?P<rest>.+)$")),
    ("item", re.compile(r"^(?P<num>[0-9]+)\.(?P<rest>.+)$")),
    ("lead", re.compile(r"^牵头单位：(?P<rest>.*)$")),
    ("co", re.compile(r"^协办单位：(?P<rest>.*)$")),
    ("misprint", re.compile(r"^政协单位：(?P<rest>.*)$")),
)


@functools.cache
def classified() -> tuple[SourceLine, ...]:
    out: list[SourceLine] = []
    in_header = True
    for text in notice_lines():
        for kind, pattern in _PATTERNS:
            found = pattern.match(text)
            if found:
                break
        else:
            kind, found = "body", None
        if kind == "chapter":
            in_header = False
        if in_header:
            out.append(SourceLine("header", text))
        elif found is None:
            out.append(SourceLine("body", text))
        else:
            num = found.groupdict().get("num")
            number = 0 if num is None else (int(num) if num.isdigit() else _cn_value(num))
            out.append(SourceLine(kind, text, number, found["rest"]))
    return tuple(out)


# -- format variations -----------------------------------------------------------------------
# Option 0 of every family is the bundled notice's own form.

def _wide(value: int) -> str:
    return str(value).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


CHAPTER_MARKS: tuple[Callable[[int], str], ...] = (
    lambda n: f"{cn_number(n)}、", lambda n: f"{cn_number(n)}.", lambda n: f"{cn_number(n)}．",
    lambda n: f"{cn_number(n)}、 ", lambda n: f"{cn_number(n)}．\u3000",
)
SECTION_MARKS: tuple[Callable[[int], str], ...] = (
    lambda n: f"（{cn_number(n)}）", lambda n: f"({cn_number(n)})", lambda n: f"（{cn_number(n)})",
    lambda n: f"（{cn_number(n)}）、", lambda n: f"({cn_number(n)})、", lambda n: f"（{cn_number(n)})、",
    lambda n: f"({cn_number(n)}）", lambda n: f"（ {cn_number(n)} ）",
)
ITEM_MARKS: tuple[Callable[[int], str], ...] = (
    lambda n: f"{n}.", lambda n: f"{n}．", lambda n: f"{_wide(n)}．", lambda n: f"{n}、",
    lambda n: f"{n}. ", lambda n: f"{_wide(n)}．\u3000",
)
LEAD_LABELS = ("牵头单位", "牵头部门")
CO_LABELS = ("协办单位", "协办部门", "配合单位", "参与单位", "配合部门", "参与部门")
COLONS = ("：", ":", " ：", "： ", " : ", "\u3000：", ":\u3000")
LIST_ENDS = ("", "。", "等", "等。")
INDENTS = ("", "\u3000\u3000", "\t", "\u00a0\u00a0", "  ", "\u3000")
TRAILING = ("", " ", "   ", "\u3000", "\t", " \u00a0")
BLANKS_AFTER: tuple[tuple[str, ...], ...] = ((), ("",), ("", ""), ("\u3000\u3000",), (" \t",))
MERGE = (False, True)
# Separators between the units of a list, cycled along the list: the last option mixes all five.
SEPARATORS: tuple[tuple[str, ...], ...] = (
    ("、",), ("，",), (",",), ("；",), (";",), ("、 ",), ("\u3000，",), ("、", "，", ",", "；", ";"),
)
# A Word export writes a form feed at each page break: before the line, alone on a line before it,
# or after the line's last character.
PAGE_BREAKS = ("", "start", "alone", "end")

# Per-line families, in a fixed order (test_variations decodes one integer per line with it).
FAMILIES: dict[str, tuple] = {
    "indent": INDENTS, "trailing": TRAILING, "blank_after": BLANKS_AFTER,
    "chapter_mark": CHAPTER_MARKS, "section_mark": SECTION_MARKS, "item_mark": ITEM_MARKS,
    "merge": MERGE, "lead_label": LEAD_LABELS, "co_label": CO_LABELS, "colon": COLONS, "list_end": LIST_ENDS,
    "separator": SEPARATORS, "page_break": PAGE_BREAKS,
}
NEWLINES = ("\n", "\r\n", "\r")
# name -> (how to write the text, the documents.source_encoding parse_notice must record)
ENCODINGS: dict[str, tuple[Callable[[str], bytes], str]] = {
    "utf-8": (lambda text: text.encode("utf-8"), "utf-8"),
    "utf-8-bom": (lambda text: text.encode("utf-8-sig"), "utf-8-sig"),
    "gb18030": (lambda text: text.encode("gb18030"), "gb18030"),
    # GBK has no NBSP: a GBK export writes the indent as an ideographic space.
    "gbk": (lambda text: text.replace("\u00a0", "\u3000").encode("gbk"), "gb18030"),
    "utf-16-le-bom": (lambda text: b"\xff\xfe" + text.encode("utf-16-le"), "utf-16"),
    "utf-16-be-bom": (lambda text: b"\xfe\xff" + text.encode("utf-16-be"), "utf-16"),
}

Chooser = Callable[[int, str], int]  # (line index, family) -> option index


def uniform(**options: int) -> Chooser:
    """The same option of each named family on every line; the others stay as printed."""
    return lambda index, family: options.get(family, 0)


def _mergeable(lines: tuple[SourceLine, ...], index: int) -> bool:
    return (lines[index].kind in ("chapter", "section") and index + 1 < len(lines)
            and lines[index + 1].kind == "body")


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def _reseparate(listed: str, separators: tuple[str, ...]) -> str:
    """The printed list with its 、 replaced by ``separators`` in turn (the bundled lists use 、 only)."""
    assert not any("、" in part for part in _BRACKETED.findall(listed)), listed
    units = listed.split("、")
    out = units[0]
    for index, unit in enumerate(units[1:]):
        out += separators[index % len(separators)] + unit
    return out


def render_text(choose: Chooser, newline: str = "\n", final_newline: bool = False) -> str:
    lines = classified()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]

        def option(family: str, at: int = index):
            values = FAMILIES[family]
            return values[choose(at, family) % len(values)]

        if line.kind == "chapter":
            content = option("chapter_mark")(line.number) + line.rest
        elif line.kind == "section":
            content = option("section_mark")(line.number) + line.rest
        elif line.kind == "item":
            content = option("item_mark")(line.number) + line.rest
        elif line.kind in ("lead", "co", "misprint"):
            label = {"lead": option("lead_label"), "co": option("co_label"), "misprint": "政协单位"}[line.kind]
            content = label + option("colon") + _reseparate(line.rest, option("separator")) + option("list_end")
        else:
            content = line.text
        if _mergeable(lines, index) and option("merge"):
            # Heading and body on one line: a heading without its own 。 gets one,
            # so the first sentence is still exactly the heading.
            joint = "" if content.endswith("。") else "。"
            content = content + joint + lines[index + 1].text
            index += 1
        page_break = option("page_break")
        if page_break == "alone":
            out.append("\f")
        out.append(("\f" if page_break == "start" else "") + option("indent") + content + option("trailing")
                   + ("\f" if page_break == "end" else ""))
        out.extend(option("blank_after"))
        index += 1
    return newline.join(out) + (newline if final_newline else "")


def render(choose: Chooser = uniform(), *, encoding: str = "utf-8", newline: str = "\n",
           final_newline: bool = False) -> bytes:
    write, _ = ENCODINGS[encoding]
    return write(render_text(choose, newline, final_newline))
