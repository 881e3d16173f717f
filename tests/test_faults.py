"""Issue 3, robust input: structural faults and bad files.

Every refusal is a one-line PlanDataError ``file:line: message`` (``file: message``
when no line is meaningful); never a traceback or another exception type.
Oddities that do not stop parsing are findings.
"""
from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from core_helpers import (assert_one_line_error, bundled_bytes, notice_lines, original,  # noqa: E402
                          parse, parse_lines)

from pipeline.core import decode  # noqa: E402
from pipeline.core.decode import MAX_SOURCE_BYTES  # noqa: E402
from pipeline.errors import PlanDataError  # noqa: E402

FILE = "copy.txt"


def edited(*edits) -> list[str]:
    """The bundled notice with edits applied: (line number, new text or None to delete)."""
    lines = notice_lines()
    for number, text in sorted(edits, key=lambda edit: -edit[0]):
        if text is None:
            del lines[number - 1]
        else:
            lines[number - 1] = text
    return lines


def inserted(after: int, *new_lines: str) -> list[str]:
    lines = notice_lines()
    lines[after:after] = list(new_lines)
    return lines


def replaced(number: int, old: str, new: str) -> tuple[int, str]:
    text = notice_lines()[number - 1]
    assert text.startswith(old), text
    return number, new + text[len(old):]


# -- structural faults: hard errors ----------------------------------------------------------

HARD_ERRORS = [
    pytest.param(edited(replaced(24, "（二）", "（一）")), 24, "duplicate section number （一）",
                 id="duplicate-section"),
    pytest.param(edited(replaced(24, "（二）", "(一)")), 24, "duplicate section number (一)",
                 id="duplicate-section-other-mark"),
    pytest.param(edited(replaced(19, "二、", "一、")), 19, "duplicate chapter number 一、", id="duplicate-chapter"),
    pytest.param(edited(replaced(60, "2.", "1.")), 60, "duplicate item number 1.", id="duplicate-item"),
    pytest.param(edited(replaced(24, "（二）", "（三）"), replaced(28, "（三）", "（二）")), 28,
                 "out-of-order section number （二）", id="out-of-order-section"),
    pytest.param(edited((21, None)), 21, "unit line with no provision text before it", id="unit-line-after-heading"),
    pytest.param(inserted(8, "牵头单位：市纪委"), 9, "unit line with no provision text before it",
                 id="unit-line-after-chapter"),
    pytest.param(inserted(23, "牵头单位：市纪委"), 24, "unit line with no provision text before it",
                 id="second-lead-line-after-a-block"),
    # A 责任单位 line opens a block as a 牵头单位 line does, so it too needs text of its own
    # (with text before it, it is a task of its own: test_blocks_and_gaps).
    pytest.param(inserted(23, "责任单位：市委党校"), 24, "unit line with no provision text before it",
                 id="responsible-line-right-after-a-block"),
    # An item directly under a chapter is read since issue 9 (id 1.0.1): see tests/test_outline_genre.py.
]


@pytest.mark.parametrize(("lines", "line", "fault"), HARD_ERRORS)
def test_structural_fault_is_a_one_line_error(lines, line, fault):
    with pytest.raises(PlanDataError) as raised:
        parse_lines(lines, FILE)
    assert_one_line_error(raised.value, FILE, line)
    assert fault in str(raised.value)


def test_same_number_under_different_parents_is_fine():
    numbers = [row["ordinal"] for row in original().tables["sections"] if row["level"] == 2]
    assert numbers.count(1) == 8  # every chapter has its own （一）


# -- structural faults: findings, and parsing goes on ----------------------------------------

def _findings(rows, kind):
    return [row for row in rows.tables["findings"] if row["kind"] == kind]


@pytest.mark.parametrize(("lines", "line", "value", "level"), [
    pytest.param(edited((24, None), (25, None), (26, None), (27, None)), 24, "（三）", 2, id="section-gap"),
    pytest.param(edited((60, None)), 60, "3.", 3, id="item-gap"),
    pytest.param(edited(*[(number, None) for number in range(8, 19)]), 8, "二、", 1, id="chapter-gap"),
])
def test_numbering_gap_is_a_finding(lines, line, value, level):
    rows = parse_lines(lines, FILE)
    gaps = _findings(rows, "numbering_gap")
    assert [(gap["line"], gap["value"], gap["severity"]) for gap in gaps] == [(line, value, "warning")]
    assert "1 number(s) skipped" in gaps[0]["message"]
    gapped = [row for row in rows.tables["sections"] if row["line_start"] == line]
    assert gapped and gapped[0]["level"] == level and gapped[0]["label"] == value
    # Parsing went on to the end of the notice.
    assert rows.tables["sections"][-1]["section_id"] == "8.4"
    assert rows.tables["tasks"][-1]["task_id"] == "7.4"  # 七（四）, the last block of the notice


@pytest.mark.parametrize("listed", ["", "。", "等", " 等。", "\u3000"], ids=["nothing", "stop", "deng", "deng-stop",
                                                                          "space"])
def test_empty_co_list_is_a_finding(listed):
    rows = parse_lines(edited((23, "协办单位：" + listed)), FILE)
    empty = _findings(rows, "empty_unit_list")
    assert [(row["line"], row["value"], row["severity"]) for row in empty] == [(23, "协办单位", "warning")]
    task = [row for row in rows.tables["assignments"] if row["task_id"] == "2.1"]
    assert task and {row["role"] for row in task} == {"lead"}
    assert len(rows.tables["tasks"]) == 50
    assert len(rows.tables["assignments"]) == 533 - 4  # line 23 lists 4 units


def test_empty_lead_list_is_a_finding_and_the_block_still_forms():
    rows = parse_lines(edited((22, "牵头单位：")), FILE)
    assert [row["line"] for row in _findings(rows, "empty_unit_list")] == [22]
    assert not _findings(rows, "missing_lead")  # the lead line is there, only empty
    task = [row for row in rows.tables["assignments"] if row["task_id"] == "2.1"]
    assert task and {row["role"] for row in task} == {"co"}
    assert [row["task_id"] for row in rows.tables["tasks"]] == [row["task_id"] for row in original().tables["tasks"]]


# -- bad files -------------------------------------------------------------------------------

def _bytes_with(number: int, bad: bytes, encoding: str = "utf-8") -> bytes:
    """The notice in ``encoding`` with ``bad`` spliced into the start of line ``number``."""
    lines = [line.encode(encoding) for line in notice_lines()]
    lines[number - 1] = bad + lines[number - 1]
    return b"\n".join(lines)


def _utf16_odd_length() -> bytes:
    return codecs.BOM_UTF16_LE + "\n".join(notice_lines()).encode("utf-16-le") + b"\x00"


BAD_FILES = [
    # (id, bytes, line or None, words in the message)
    ("empty", b"", None, "file is empty"),
    ("only-whitespace", b" \r\n\t\n\r\n   ", None, "file is empty"),
    ("only-utf8-bom", codecs.BOM_UTF8, None, "file is empty"),
    ("utf8-bom-and-blank-lines", codecs.BOM_UTF8 + "\u3000\r\n\r\n".encode(), None, "file is empty"),
    ("utf16-bom-and-spaces", codecs.BOM_UTF16_LE + " \n \n".encode("utf-16-le"), None, "file is empty"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", 3, "binary data (NUL bytes)"),
    ("zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), 1, "binary data (NUL bytes)"),
    ("utf16-without-bom", "一、总体要求\n".encode("utf-16-le"), 1, "no UTF-16 byte-order mark"),
    ("utf32-bom", codecs.BOM_UTF32_LE + "一、总体要求".encode("utf-32-le"), 1, "UTF-32"),
    ("nul-in-line-100", _bytes_with(100, b"\x00"), 100, "binary data (NUL bytes)"),
    ("high-bytes", bytes(range(0x80, 0x100)) * 4, 1, "undecodable bytes"),
    ("stray-byte-in-utf8-line-50", _bytes_with(50, b"\xff"), 50, "reads as UTF-8 up to there"),
    ("stray-byte-in-gbk-line-50", _bytes_with(50, b"\xff", "gbk"), 50, "reads as GB18030 up to there"),
    ("utf8-bom-then-gbk", codecs.BOM_UTF8 + "\n".join(notice_lines()).encode("gbk"), 1,
     "starts with a UTF-8 byte-order mark"),
    ("utf16-odd-length", _utf16_odd_length(), len(notice_lines()), "starts with a UTF-16 byte-order mark"),
    ("gb18030-private-use", _bytes_with(3, b"\xaa\xa1\xaa\xa2", "gb18030"), 3, "binary or garbled content"),
    ("control-char-line-9", _bytes_with(9, b"\x07"), 9, "character U+0007 is not text"),
    ("replacement-char-line-12", _bytes_with(12, "\ufffd".encode()), 12, "character U+FFFD is not text"),
    ("no-heading-at-all", "这是一段没有任何标题的文字。\n第二段。\n".encode(), None, "no chapter heading"),
    # Sections with no chapter are read since issue 9; this text's sections restart at （一） in each
    # former chapter, so without chapters the second （一） is a duplicate.
    ("no-chapter-only-sections", "\n".join(line for line in notice_lines() if not line[:2].endswith("、")).encode(),
     18, "duplicate section number （一） in the notice"),
    ("header-only", "\n".join(notice_lines()[:7]).encode("gb18030"), None, "no chapter heading"),
    ("numbers-that-are-not-numerals", "十十、总体要求\n二二、加大教育力度\n".encode(), None, "no chapter heading"),
]


@pytest.mark.parametrize(("data", "line", "words"),
                         [pytest.param(data, line, words, id=name) for name, data, line, words in BAD_FILES])
def test_bad_file_is_a_one_line_error(data, line, words):
    with pytest.raises(PlanDataError) as raised:
        parse(data, FILE)
    assert_one_line_error(raised.value, FILE, line)
    assert words in str(raised.value)


def test_file_over_the_size_limit():
    data = bundled_bytes() + b" " * (MAX_SOURCE_BYTES + 1 - len(bundled_bytes()))
    assert len(data) == MAX_SOURCE_BYTES + 1
    with pytest.raises(PlanDataError) as raised:
        parse(data, FILE)
    assert_one_line_error(raised.value, FILE)
    assert f"over the {MAX_SOURCE_BYTES}-byte limit" in str(raised.value)


def test_file_at_the_size_limit_is_read():
    # Trailing spaces on the last line: the same notice, exactly MAX_SOURCE_BYTES long.
    data = bundled_bytes() + b" " * (MAX_SOURCE_BYTES - len(bundled_bytes()))
    rows = parse(data, FILE)
    assert rows.tables["documents"][0]["source_bytes"] == MAX_SOURCE_BYTES
    assert len(rows.tables["tasks"]) == len(original().tables["tasks"])


def test_size_limit_is_read_at_call_time(monkeypatch):
    monkeypatch.setattr(decode, "MAX_SOURCE_BYTES", len(bundled_bytes()) - 1)
    with pytest.raises(PlanDataError, match="over the"):
        parse(bundled_bytes(), FILE)


def test_error_names_the_file_as_given():
    with pytest.raises(PlanDataError) as raised:
        parse(b"", "uploads/2008 notice.txt")
    assert str(raised.value) == "uploads/2008 notice.txt: file is empty"


def test_the_bundled_notice_names_no_error():
    assert not original().errors
