"""Issue 3, robust input: fuzzing parse_notice.

Whatever the bytes, parse_notice either returns rows or raises a one-line
PlanDataError naming the file, within a bounded time. Any other exception is a
bug in the core. When it returns, the rows hold together (unique ids, every
assignment belongs to a task, every task to a section).
"""
from __future__ import annotations

import sys
import gc
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from core_helpers import assert_one_line_error, notice_lines, parse  # noqa: E402

from pipeline.errors import PlanDataError  # noqa: E402

FILE = "fuzzed.txt"
# A parse of the whole notice takes ~10 ms; a second per example is a hang, not noise.
FUZZ = settings(max_examples=200, deadline=timedelta(seconds=1),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def parse_or_refuse(data: bytes) -> None:
    try:
        rows = parse(data, FILE)
    except PlanDataError as error:
        assert_one_line_error(error, FILE)
        assert error.line is None or 1 <= error.line <= data.count(b"\n") + data.count(b"\r") + 1
        return
    check_rows_hold_together(rows)


def check_rows_hold_together(rows) -> None:
    tables = rows.tables
    assert len(tables["documents"]) == 1
    # Sets, not lists: the linear-cost test below times this check along with the parse.
    section_ids = {row["section_id"] for row in tables["sections"]}
    assert len(tables["sections"]) == len(section_ids)
    assert all(row["parent_id"] is None or row["parent_id"] in section_ids for row in tables["sections"])
    task_ids = {row["task_id"] for row in tables["tasks"]}
    assert len(tables["tasks"]) == len(task_ids)
    assert all(row["section_id"] in section_ids for row in tables["tasks"])
    assert all(row["task_id"] in task_ids for row in tables["assignments"])
    assert all(row["line_start"] <= row["line_end"] for row in tables["sections"] + tables["tasks"])
    assert all(row["role"] in ("lead", "co", "responsible") for row in tables["assignments"])


# -- random bytes ----------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    parse_or_refuse(data)


# -- random documents built from the notice's own vocabulary ---------------------------------

TOKENS = [
    "一、", "二、", "三.", "十、", "十十、", "二二、", "一．", "（一）", "(二)", "（三)、", "（十一）", "（",
    "）", "1.", "2．", "３．", "1、", "3.5万元", "2.2009年", "牵头单位：", "协办单位:", "责任单位 ：", "政协单位：",
    "某某单位：", "主送部门：", "市纪委", "市委组织部", "、", "，", "。", "等", "《", "》", "“", "”", "加强领导",
    "2008年8月11日", "二〇〇八年八月十一日", "2008年十十月1日", "中共台州市委", "关于印发", "的通知", "：",
    "\u3000", "\t", "\u00a0", " ", "\ufeff", "\u200b", "\f", "\v", "\n", "\r\n", "\r", "\u2028", "\x85",
]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=300),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_random_documents_of_marks(tokens, encoding):
    text = "".join(tokens)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    parse_or_refuse(data)


# -- random mutations of the bundled notice --------------------------------------------------

MARKS = ["一、", "（一）", "(二)", "1.", "２．", "3、", "十、", "九十九、", "（二十）", "牵头单位：", "协办单位：",
         "责任单位：", "牵头单位：。", "协办单位：等", "3.5万元", "。", "（", "《", "\u3000", "\t", ""]

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 10_000)),
    st.tuples(st.just("swap"), st.integers(0, 10_000), st.integers(0, 10_000)),
    st.tuples(st.just("prefix"), st.integers(0, 10_000), st.sampled_from(MARKS)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(MARKS), st.sampled_from(MARKS)),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.integers(0, 40)),
    st.tuples(st.just("strip_mark"), st.integers(0, 10_000)),
)


def mutate(lines: list[str], operation: tuple) -> None:
    if not lines:
        lines.append("")
    kind, at = operation[0], operation[1] % len(lines)
    if kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "swap":
        other = operation[2] % len(lines)
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == "prefix":
        lines[at] = operation[2] + lines[at]
    elif kind == "insert":
        lines.insert(at, operation[2] + operation[3])
    elif kind == "cut":  # cut a line short, e.g. mid-mark or mid-list
        lines[at] = lines[at][:operation[2]]
    elif kind == "strip_mark":  # drop a line's first characters (its numbering mark)
        lines[at] = lines[at][2:]


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_mutated_notice(operations, newline):
    lines = notice_lines()
    for operation in operations:
        mutate(lines, operation)
    parse_or_refuse(newline.join(lines).encode("utf-8"))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 70_000), st.integers(0, 255)), min_size=1, max_size=8),
       st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_flipped_bytes_in_the_notice(flips, encoding):
    data = bytearray("\n".join(notice_lines()).encode(encoding))
    for offset, value in flips:
        data[offset % len(data)] = value
    parse_or_refuse(bytes(data))


# -- pathological lines: no regular expression may backtrack for long -----------------------

RUN = 12_500
PATHOLOGICAL = {
    # The title's period pattern once read "年?\s*" after "\s*": quadratic in a run of spaces.
    "year-then-spaces-in-title": lambda n: "2008" + " " * n + "x\n一、总体\n（一）x\n正文。",
    "year-then-spaces-in-header": lambda n: "标题\n2008" + "\u3000" * n + "\n一、总体\n（一）x\n正文。",
    "spaces-after-section-mark": lambda n: "标题\n一、总体\n（一）" + " " * n + "\n正文。",
    "spaces-in-section-mark": lambda n: "标题\n一、总体\n（" + "\u3000" * n + "一）x\n正文。",
    "spaces-around-unit-colon": lambda n: "标题\n一、总体\n（一）x\n正文。\n牵头单位" + " " * n + "：" + " " * n + "市纪委",
    "separators-only-unit-list": lambda n: "标题\n一、总体\n（一）x\n正文。\n牵头单位：" + "、" * n,
    "digits-before-item-mark": lambda n: "标题\n一、总体\n（一）x\n" + "1" * n + ".x",
    "numerals-before-chapter-mark": lambda n: "标题\n" + "十" * n + "、\n一、总体",
    "unclosed-brackets": lambda n: "标题\n一、总体\n（一）x\n" + "（" * n + "。\n牵头单位：市纪委",
    "one-long-line": lambda n: "标题\n一、总体\n（一）x\n" + "正文" * n,
    "many-lines": lambda n: "标题\n一、总体\n（一）x\n" + "正文。\n" * n,
    "many-blocks": lambda n: "标题\n一、总体\n（一）x\n" + "正文。\n牵头单位：市纪委\n" * (n // 20),
}


def _cpu_seconds(text: str) -> float:
    # A full collection scans every live object of the process: late in a test session that is the whole
    # suite's heap, and the parser's own allocations would be billed for it. Frozen objects are not scanned.
    gc.collect()
    gc.freeze()
    try:
        best = float("inf")
        for _ in range(2):  # the better of two: a stray page fault or GC pause is not the parser's cost
            started = time.process_time()
            parse_or_refuse(text.encode("utf-8"))
            best = min(best, time.process_time() - started)
        return best
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("make", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_pathological_lines_cost_grows_linearly(make):
    """Four times the input may cost about four times the CPU, never the sixteen of a quadratic.

    A ratio, not a time limit: it holds on a slow or loaded machine (CPU time, not wall time),
    and the 20 ms allowance keeps inputs that parse in microseconds from failing on noise."""
    small, large = _cpu_seconds(make(RUN)), _cpu_seconds(make(4 * RUN))
    assert large < 8 * small + 0.02, f"{small:.3f} s for {RUN}, {large:.3f} s for {4 * RUN}"
