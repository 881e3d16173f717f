"""Rules of the citations table (pipeline/core/citations.py), one small line at a time.

Expected values are read from the rules in the module docstring, not from the code's output.
"""
from __future__ import annotations

from pipeline.core.citations import find_titles, issuer_prefix, parse_citations
from pipeline.core.outline import parse_outline


def test_an_empty_title_is_not_a_row_wherever_it_stands():
    # "An empty 《》 is not a row": at an even and at an odd index of the line.
    assert find_titles("《》") == []
    assert find_titles("见《》") == []
    assert find_titles("参见《》和《》") == []


def test_a_one_character_title_is_a_row():
    spans = find_titles("见《法》")
    assert [span.title("见《法》") for span in spans] == ["法"]


def test_a_generic_body_after_a_verb_is_the_issuer_not_the_verb_with_it():
    # 市财政局 ends in 局 and what precedes it (落实) is a verb: the body alone is the issuer.
    assert issuer_prefix("落实市财政局") == "市财政局"
    assert issuer_prefix("认真执行县审计局") == "县审计局"


NOTICE = (
    "关于印发《监督办法》的通知\n"      # 1 header
    "各单位：\n"                        # 2
    "现将《监督办法》印发给你们。\n"    # 3
    "一、贯彻落实《廉政准则》\n"        # 4 first chapter heading, with a title on it
    "（一）工作内容\n"                  # 5
    "制定《考核办法》。\n"              # 6
    "牵头单位：市纪委\n"                # 7
)


def test_a_title_on_the_first_chapter_heading_belongs_to_that_chapter_not_the_header():
    # The header is every line *before* the first chapter; the heading line itself is the chapter's.
    citations = parse_citations(NOTICE, parse_outline(NOTICE, "rules.txt"))
    by_line = {c.line: c for c in citations}
    assert (by_line[1].section_id, by_line[1].citation_id) == (None, "0-c1")
    assert (by_line[3].section_id, by_line[3].citation_id) == (None, "0-c2")
    on_heading = by_line[4]
    assert (on_heading.section_id, on_heading.citation_id, on_heading.title) == ("1", "1-c1", "廉政准则")
    assert (by_line[6].section_id, by_line[6].task_id, by_line[6].action) == ("1.1", "1.1", "draft")


def test_a_title_on_a_clauses_line_belongs_to_the_task_whose_clause_follows_it():
    text = ("某某工作方案\n"
            "一、主要任务\n"
            "（一）加强管理。落实《甲办法》要求。（市财政局负责）修订《乙细则》。（市审计局负责）"
            "研究制定《丙规定》，\n"
            "做好衔接。\n"
            "牵头单位：市监察局\n")
    outline = parse_outline(text, "synthetic.txt")
    assert [(task.task_id, task.clause) for task in outline.tasks] == [
        ("1.1", "（市财政局负责）"), ("1.1-2", "（市审计局负责）"), ("1.1-3", None)]
    # Each clause governs the text since the previous one; the text after the last clause runs on to the
    # unit line, as any governed text does.
    assert [(c.title, c.task_id) for c in parse_citations(text, outline)] == [
        ("甲办法", "1.1"), ("乙细则", "1.1-2"), ("丙规定", "1.1-3")]


def test_a_title_after_the_last_clause_of_a_line_and_before_a_heading_has_no_task():
    text = ("某某工作方案\n"
            "一、主要任务\n"
            "（一）加强管理。落实《甲办法》要求。（市财政局负责）参照《乙细则》执行。\n"
            "（二）强化监督。\n")
    outline = parse_outline(text, "synthetic.txt")
    assert [(c.title, c.section_id, c.task_id) for c in parse_citations(text, outline)] == [
        ("甲办法", "1.1", "1.1"), ("乙细则", "1.1", None)]
