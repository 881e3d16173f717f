"""Edge rules of pipeline/core, one small case at a time.

Expected values are read from the rules (docstrings and comments), not from the code's output.
"""
from __future__ import annotations

import pytest

from pipeline.core.citations import clause_before, issuer_prefix, parse_citations
from pipeline.core.decode import MAX_SOURCE_BYTES, decode_source
from pipeline.core.header import _number
from pipeline.core.lines import Line, split_run_on
from pipeline.core.outline import parse_outline
from pipeline.errors import PlanDataError


# --- citations ---------------------------------------------------------------------------------

def test_clause_before_starts_after_the_clause_mark_not_at_it():
    # The clause runs from just after the last clause mark before ``start``.
    assert clause_before("加强领导，落实", 7) == "落实"
    # With two marks, still only the text after the nearer one.
    assert clause_before("甲，乙，落实", 6) == "落实"


def test_a_whole_text_that_is_one_generic_body_is_the_issuer():
    # 某县卫生局 ends in 局 and nothing precedes it: the whole run is the body.
    assert issuer_prefix("某县卫生局") == "某县卫生局"


def test_an_issuer_list_longer_than_two_dozen_characters_is_read_whole():
    # Bodies joined by 、 before one title are read back up to 4 * (12 + 1) characters.
    prefix = "市委办公室、市政府办公室、市财政局、市审计局、市统计局、市公安局"
    assert len(prefix) > 24
    text = "一、工作任务\n（一）落实\n认真落实" + prefix + "《实施意见》。\n牵头单位：市政府\n"
    citations = parse_citations(text, parse_outline(text, "edge.txt"))
    assert [c.issuer_prefix for c in citations] == [prefix]


# --- decode --------------------------------------------------------------------------------------

def test_the_source_limit_is_ten_mebibytes():
    assert MAX_SOURCE_BYTES == 10 * 1024 * 1024
    # Two MiB of plain text is a (long) notice, well under the limit.
    big = ("加强领导。\n" * (2 * 1024 * 1024 // 16 + 1)).encode("utf-8")
    assert 2 * 1024 * 1024 < len(big) < MAX_SOURCE_BYTES
    assert decode_source(big, "big.txt").text.startswith("加强领导。")
    with pytest.raises(PlanDataError):
        decode_source(b"a" * (10 * 1024 * 1024 + 1), "huge.txt")


# --- header --------------------------------------------------------------------------------------

def test_number_reads_only_ascii_wide_or_chinese_digits():
    assert _number("2008") == 2008
    assert _number("２００８") == 2008
    assert _number("二〇〇八") == 2008
    # Digits of other scripts are not a date part of a Chinese notice.
    with pytest.raises(ValueError):
        _number("٣")
    # Nor is ASCII that is not all digits.
    with pytest.raises(ValueError):
        _number(" 8")


# --- lines ---------------------------------------------------------------------------------------

def test_a_labelled_list_closes_at_its_full_stop():
    # "a role label … whose list ends at its 。": the text after it is a new logical line.
    pieces = split_run_on([Line(1, "责任单位：市纪委、市政府。加强日常管理。")])
    assert [(p.number, p.text, p.run_on) for p in pieces] == [
        (1, "责任单位：市纪委、市政府。", True),
        (1, "加强日常管理。", True),
    ]


def test_a_long_labelled_line_ending_at_its_full_stop_is_not_split():
    # Only the line's last 。 stands outside brackets, so there is nothing to cut: the line is kept as it is,
    # however long it is.
    units = "、".join(f"市第{n}局" for n in range(1, 80))
    text = "责任单位：" + units + "（按分工。）。"
    assert len(text) > 300
    line = Line(3, text)
    assert split_run_on([line]) == [line]
