"""Heading numbering, clause spans, unit lists and bracket depth (pipeline.core.outline, .sentences).

Also: the vocabulary's entries are frozen (hashable, read-only).
"""
from __future__ import annotations

import dataclasses

import pytest

from pipeline.core import vocabulary
from pipeline.core.outline import parse_outline
from pipeline.core.sentences import split_first_sentence, split_unit_list


def _gaps(outline):
    return [(f.line, f.message) for f in outline.findings if f.kind == "numbering_gap"]


def test_a_chapter_heading_sentence_before_its_clause_is_not_the_tasks_text():
    outline = parse_outline("某某工作方案\n"
                            "一、加强领导。各级党委要把工作摆上重要议事日程（市委办公室牵头）。\n", "synthetic.txt")
    # The heading sentence 加强领导 is the chapter's heading; the task governs only the text after it.
    assert outline.nodes[0].heading == "加强领导"
    assert [task.text for task in outline.tasks] == ["各级党委要把工作摆上重要议事日程"]


def test_a_section_number_repeated_under_a_new_chapter_is_a_gap_from_zero_not_run_on():
    outline = parse_outline("某某工作方案\n"
                            "一、主要任务\n"
                            "（一）做好甲项工作\n"
                            "（二）做好乙项工作\n"
                            "（三）做好丙项工作\n"
                            "二、保障措施\n"
                            "（二）做好丁项工作\n", "synthetic.txt")
    # （二） opens chapter 二: it neither runs on from （三） nor starts at （一）, so number 1 is skipped.
    assert _gaps(outline) == [(7, "section （二） follows number 0: 1 number(s) skipped")]


def test_a_run_on_section_number_that_jumps_counts_the_gap_from_the_last_number_printed():
    outline = parse_outline("某某工作方案\n"
                            "一、主要任务\n"
                            "（一）做好甲项工作\n"
                            "（二）做好乙项工作\n"
                            "二、保障措施\n"
                            "（五）做好丁项工作\n", "synthetic.txt")
    # Numbering runs on across chapters: （五） after （二） skips 3 and 4.
    assert _gaps(outline) == [(6, "section （五） follows number 2: 2 number(s) skipped")]


def test_a_bare_final_deng_on_a_unit_line_is_not_open_ended_even_when_a_name_contains_deng():
    outline = parse_outline("某某工作方案\n"
                            "一、主要任务\n"
                            "（一）做好甲项工作\n"
                            "做好甲项工作。\n"
                            "牵头单位：市高等教育局、市财政局等\n", "synthetic.txt")
    [task] = outline.tasks
    assert task.unit_lines[0].units == ["市高等教育局", "市财政局"]
    assert task.open_ended is False


def test_text_after_a_clause_in_an_item_heading_is_governed_by_the_next_clause_only():
    outline = parse_outline("某某工作方案\n"
                            "一、主要任务\n"
                            "1．做好甲项工作。（市财政局牵头）加强乙项工作。（市审计局牵头）\n", "synthetic.txt")
    # The second clause governs the text since the first clause ended, not the first clause itself.
    assert [(task.task_id, task.text) for task in outline.tasks] == [("1.0.1", "1．做好甲项工作。"),
                                                                      ("1.0.1-2", "加强乙项工作。")]


def test_a_sentence_end_inside_three_nested_brackets_does_not_end_the_sentence():
    assert split_first_sentence("甲（乙（丙（丁）戊）。己）。庚") == ("甲（乙（丙（丁）戊）。己）", "庚")


def test_a_unit_list_starting_with_a_separator_skips_the_empty_first_part():
    assert split_unit_list("、市财政局、市审计局") == (["市财政局", "市审计局"], False)


def test_a_vocabulary_entry_is_frozen_and_hashable():
    entry = vocabulary.entries()[0]
    assert entry in set(vocabulary.entries())
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.printed = "x"
