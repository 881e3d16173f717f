"""Where a responsibility clause is read, and how its parts are split (pipeline.core.clauses)."""
from __future__ import annotations

from pipeline.core.clauses import Group, find_clauses, read_clause
from pipeline.core.sentences import split_unit_list


def test_a_unit_name_of_thirty_characters_is_a_unit_and_of_thirty_one_is_text():
    thirty = "某" * 28 + "部门"
    assert read_clause(f"{thirty}牵头") == ([Group("lead", "牵头", (thirty,))], False, None)
    assert read_clause(f"某{thirty}牵头") is None


def test_words_after_a_verb_part_that_is_no_unit_list_are_the_note_from_that_part_on():
    groups, open_ended, note = read_clause("市财政局牵头，由各地负责，市审计局配合")
    # 由各地 is no unit list: reading stops there, and the B配合 after it is note, not a group.
    assert groups == [Group("lead", "牵头", ("市财政局",))]
    assert note == "由各地负责，市审计局配合"


def test_the_note_starts_at_the_part_itself_not_at_the_comma_before_it():
    groups, _, note = read_clause("市财政局牵头，确保按期完成")
    assert groups == [Group("lead", "牵头", ("市财政局",))]
    assert note == "确保按期完成"


def test_a_clause_after_a_sentence_end_and_spaces_is_read():
    text = "做好清理工作。 \u3000（市财政局牵头）各地要按期报送清理结果和有关材料"
    clauses = find_clauses(text)
    assert [clause.printed for clause in clauses] == ["（市财政局牵头）"]
    assert clauses[0].start == text.index("（")


def test_a_bracket_after_the_first_character_of_a_sentence_is_no_clause():
    # 甲 is no sentence end, and a long sentence follows the bracket: the bracket is text.
    assert find_clauses("甲（市财政局牵头，市审计局配合）负责做好相关工作并按期报送结果和有关材料") == []


def test_a_clause_closes_the_text_when_at_most_eight_characters_follow_it():
    assert [c.printed for c in find_clauses("做好清理工作（市财政局牵头）" + "．" * 8)] == ["（市财政局牵头）"]
    assert find_clauses("做好清理工作（市财政局牵头）" + "．" * 8 + "续") == []


def test_the_first_qualifying_deng_ends_the_named_units():
    units, open_ended = split_unit_list("市公安局等有关部门和单位等")
    # The units before the first 等 are named; what follows it is the collective, whatever it prints.
    assert units[0] == "市公安局"
    assert len(units) == 2 and units[1].startswith("有关部门和单位")
    assert open_ended is True


def test_a_final_deng_after_a_collective_is_list_punctuation_in_a_clause_and_on_a_unit_line():
    # Issue 15 §7: the final 等 of 市公安局等有关部门和单位等 closes the list; the collective is 有关部门和单位.
    assert split_unit_list("市公安局等有关部门和单位等") == (["市公安局", "有关部门和单位"], True)
    assert split_unit_list("市公安局等有关部门和单位等。") == (["市公安局", "有关部门和单位"], True)
    assert read_clause("市公安局等有关部门和单位等负责") == (
        [Group("responsible", "负责", ("市公安局", "有关部门和单位"))], True, None)
    from pipeline.core.outline import parse_outline
    outline = parse_outline("某某工作方案\n一、主要任务\n1．做好甲项工作（市公安局等有关部门和单位等负责）。\n",
                            "synthetic.txt")
    assert [(line.role, line.units, outline.tasks[0].open_ended) for line in outline.tasks[0].unit_lines] == [
        ("responsible", ["市公安局", "有关部门和单位"], True)]
    for listed in ("市公安局等有关部门和单位等", "市公安局等有关部门和单位"):
        outline = parse_outline(f"某某工作方案\n一、主要任务\n1．做好甲项工作。\n配合单位：{listed}\n", "synthetic.txt")
        # Open-ended with or without the final 等: the collective after the first 等 makes it so.
        assert [(line.units, outline.tasks[0].open_ended) for line in outline.tasks[0].unit_lines] == [
            (["市公安局", "有关部门和单位"], True)], listed
    # A bare final 等 on a unit line stays list punctuation that leaves the task closed.
    outline = parse_outline("某某工作方案\n一、主要任务\n1．做好甲项工作。\n牵头单位：市公安局、市财政局等\n",
                            "synthetic.txt")
    assert [(line.units, outline.tasks[0].open_ended) for line in outline.tasks[0].unit_lines] == [
        (["市公安局", "市财政局"], False)]
