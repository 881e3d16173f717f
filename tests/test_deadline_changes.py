"""The change log reports a changed deadline as its own kind of change (issue 15 §4), and a unit printed
twice in one task is two assignments with distinct change-log ids (§7). Notices are parsed from hand-made text."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_helpers import unit_registry  # noqa: E402

from pipeline.changes import compute_changes  # noqa: E402
from pipeline.core.notice import parse_notice  # noqa: E402

HEAD = "某某市三年行动计划（2019—2021年）\n各区人民政府：\n现印发给你们。\n某某市人民政府\n2019年1月2日\n一、主要任务\n"


def _tables(body: str) -> dict:
    return parse_notice((HEAD + body).encode("utf-8"), "plan.txt", unit_registry()).tables


def _changes(old: str, new: str) -> list[tuple]:
    return [(r["entity"], r["change"], r["old_id"], r["new_id"], r["detail"])
            for r in compute_changes(_tables(old), _tables(new))]


def test_a_changed_deadline_is_a_deadline_change_of_its_task():
    old = "1．建立台账制度。\n牵头单位：甲局\n完成时限：2019年底前\n2．完善考核办法。\n牵头单位：乙局\n"
    new = "1．建立台账制度。\n牵头单位：甲局\n完成时限：2020年6月底\n2．完善考核办法。\n牵头单位：乙局\n完成时限：长期坚持\n"
    assert _changes(old, new) == [
        ("task", "deadline_changed", "1.0.1", "1.0.1", "deadline: 2019年底前 → 2020年6月底"),
        ("task", "deadline_changed", "1.0.2", "1.0.2", "deadline: (empty) → 长期坚持")]
    assert _changes(new, old)[1] == ("task", "deadline_changed", "1.0.2", "1.0.2", "deadline: 长期坚持 → (empty)")


def test_a_deadline_moved_from_a_line_into_a_clause_is_no_change_and_a_reworded_text_is_a_separate_row():
    old = "1．建立台账制度。\n牵头单位：甲局\n完成时限：2019年底前\n"
    assert _changes(old, "1．建立台账制度。（牵头单位：甲局；完成时限：2019年底前）\n") == []
    reworded = "1．建立健全台账制度。\n牵头单位：甲局\n完成时限：2019年3月\n"
    # The section's heading and the task's text changed too: each is its own row.
    assert [row[:2] for row in _changes(old, reworded)] == [
        ("section", "text_changed"), ("task", "text_changed"), ("task", "deadline_changed")]


def test_a_unit_printed_twice_in_one_task_is_two_assignments_with_distinct_change_log_ids():
    twice = _tables("1．建立台账制度。\n牵头单位：甲局\n配合单位：乙局、丙局、乙局\n")
    rows = [(row["task_id"], row["role"], row["unit_label"], row["position"]) for row in twice["assignments"]]
    assert rows == [("1.0.1", "lead", "甲局", 1), ("1.0.1", "co", "乙局", 1), ("1.0.1", "co", "丙局", 2),
                    ("1.0.1", "co", "乙局", 3)]
    assert [(f["kind"], f["value"]) for f in twice["findings"] if f["kind"] == "unit_repeated_in_task"] == [
        ("unit_repeated_in_task", "乙局")]
    # Both printings join the task, each under its own id: the second printing of 乙局 is 乙局#2.
    assert _changes("1．建立台账制度。\n牵头单位：甲局\n配合单位：丙局\n",
                    "1．建立台账制度。\n牵头单位：甲局\n配合单位：乙局、丙局、乙局\n") == [
        ("task", "units_changed", "1.0.1", "1.0.1", "co: +乙局 [unresolved] +乙局 [unresolved]"),
        ("assignment", "added", "", "1.0.1/co/乙局", "配合单位 乙局 [unresolved]"),
        ("assignment", "added", "", "1.0.1/co/乙局#2", "配合单位 乙局 [unresolved]")]


def test_the_id_of_a_repeated_unit_does_not_move_when_other_units_are_added_before_it():
    # The second 乙局 leaves while 丁局 and 戊局 join ahead of the list: it is still 乙局#2, not a position.
    assert _changes("1．建立台账制度。\n牵头单位：甲局\n配合单位：乙局、丙局、乙局\n",
                    "1．建立台账制度。\n牵头单位：甲局\n配合单位：丁局、戊局、乙局、丙局\n") == [
        ("task", "units_changed", "1.0.1", "1.0.1", "co: -乙局 [unresolved] +丁局 [unresolved] +戊局 [unresolved]"),
        ("assignment", "removed", "1.0.1/co/乙局#2", "", "配合单位 乙局 [unresolved]"),
        ("assignment", "added", "", "1.0.1/co/丁局", "配合单位 丁局 [unresolved]"),
        ("assignment", "added", "", "1.0.1/co/戊局", "配合单位 戊局 [unresolved]")]
    # The same label in another role is counted apart: 甲局 as co is its first printing there.
    assert _changes("1．建立台账制度。\n牵头单位：甲局\n配合单位：丙局\n",
                    "1．建立台账制度。\n牵头单位：甲局\n配合单位：甲局、丙局\n")[1] == (
        "assignment", "added", "", "1.0.1/co/甲局", "配合单位 甲局 [unresolved]")
