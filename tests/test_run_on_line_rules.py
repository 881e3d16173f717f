"""Rules of splitting run-on lines (pipeline/core/lines.py split_run_on): every sentence end counts."""
from __future__ import annotations

from pipeline.core.lines import Line, split_run_on


def test_a_role_label_after_a_semicolon_starts_a_new_piece():
    # The only sentence end inside the line is ；: the label after it still starts a piece.
    pieces = split_run_on([Line(5, "做好宣传工作；责任单位：市委宣传部。")])
    assert [(p.number, p.text, p.run_on) for p in pieces] == [
        (5, "做好宣传工作；", True), (5, "责任单位：市委宣传部。", True)]


def test_a_numbering_mark_after_an_exclamation_mark_starts_a_new_piece():
    pieces = split_run_on([Line(7, "务必抓紧！2.完善制度。")])
    assert [(p.number, p.text) for p in pieces] == [(7, "务必抓紧！"), (7, "2.完善制度。")]


def test_a_numbering_mark_after_a_question_mark_starts_a_new_piece():
    pieces = split_run_on([Line(9, "如何落实？2.完善制度。")])
    assert [(p.number, p.text) for p in pieces] == [(9, "如何落实？"), (9, "2.完善制度。")]


def test_a_line_with_no_inner_sentence_end_is_kept_whole():
    line = Line(3, "加强领导2.5万元。")
    assert split_run_on([line]) == [line]
