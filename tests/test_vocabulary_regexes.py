"""The parser's one-pass regexes are built from vocabulary.csv: a new row is read without code changes,
and each regex keeps the reading of the word-by-word loop it replaced."""
from __future__ import annotations

from pipeline.core import clauses, vocabulary
from pipeline.core.lines import Line, split_run_on
from pipeline.core.marks import first_mark_regex, match_heading


def _heading(regex, text: str) -> tuple[str, str] | None:
    found = regex.match(text)
    if found is None:
        return None
    index = found.lastgroup[len("label"):]
    return found.group(found.lastgroup), found.group(f"num{index}")


def test_a_new_mark_row_is_read_by_the_heading_regex():
    row = vocabulary.Entry("mark", "第一条", None, 2, "第(?P<num>{cn})条", "article")
    assert _heading(first_mark_regex(vocabulary.of_kind("mark")), "第三条 加强领导") is None
    assert _heading(first_mark_regex((*vocabulary.of_kind("mark"), row)), "第三条 加强领导") == ("第三条", "三")


def test_marks_are_tried_in_vocabulary_order():
    # 1、 is an item (level 3); with a row placed first that reads it as a chapter, that row wins.
    chapter_first = (vocabulary.Entry("mark", "1、", None, 1, "(?P<num>{d})、", "chapter"), *vocabulary.of_kind("mark"))
    found = first_mark_regex(chapter_first).match("1、加强")
    assert found.lastgroup == "label0"


def test_a_mark_that_leaves_no_text_is_not_shortened_to_leave_some():
    # （一）、 alone is no heading: its optional 、 is part of the mark, not the start of a rest.
    assert match_heading("（一）、") is None
    heading = match_heading("（一）、加强领导")
    assert (heading.level, heading.ordinal, heading.label, heading.rest) == (2, 1, "（一）、", "加强领导")


def test_a_new_convention_row_ends_the_units_of_a_clause(monkeypatch):
    inner = "市纪委负责，甲乙丙丁，市监察局配合"
    groups, _, note = clauses._with_verbs(inner)
    # Not yet a convention: 甲乙丙丁 reads as a unit sharing the verb after it.
    assert [group.units for group in groups] == [("市纪委",), ("甲乙丙丁", "市监察局")] and note is None
    longest_first = vocabulary.longest_first
    monkeypatch.setattr(vocabulary, "longest_first",
                        lambda kind: (*longest_first(kind), "甲乙丙丁") if kind == "convention" else longest_first(kind))
    monkeypatch.setattr(clauses, "_convention", clauses._convention.__wrapped__)
    groups, _, note = clauses._with_verbs(inner)
    assert [group.units for group in groups] == [("市纪委",)]
    assert note == "甲乙丙丁，市监察局配合"


def test_a_run_on_label_is_cut_where_the_vocabulary_names_it():
    line = Line(7, "加强监督。牵头单位：市纪委。配合单位：市监察局。")
    pieces = [(piece.number, piece.text) for piece in split_run_on([line])]
    assert pieces == [(7, "加强监督。"), (7, "牵头单位：市纪委。"), (7, "配合单位：市监察局。")]
