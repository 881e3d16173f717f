"""Issue 15 §6: an item mark at the start of a paragraph that continues the numbering is an item, even when
its text starts with digits (a project name such as 121人才); elsewhere a mark before digits stays a decimal."""
from __future__ import annotations

from pipeline.core.outline import parse_outline

HEAD = "某某工作方案\n一、主要任务\n（一）加强队伍建设\n"


def _items(body: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    outline = parse_outline(HEAD + body, "synthetic.txt")
    return ([(node.section_id, node.label, node.heading) for node in outline.nodes if node.level == 3],
            [(finding.kind, finding.value) for finding in outline.findings if finding.kind == "numbering_gap"])


def test_a_mark_before_digits_that_continues_the_numbering_is_the_next_item():
    items, findings = _items("9．实施甲工程。\n10．实施乙工程。\n11.121人才工程。加强培养。\n12．实施丙工程。\n"
                             "牵头单位：市人社局\n")
    assert items == [("1.1.9", "9．", "实施甲工程"), ("1.1.10", "10．", "实施乙工程"),
                     ("1.1.11", "11.", "121人才工程"), ("1.1.12", "12．", "实施丙工程")]
    # The only gap is before 9 (1–8 are not printed here), none before 12.
    assert findings == [("numbering_gap", "9．")]


def test_the_same_mark_in_full_width_and_with_a_comma_mark():
    items, _ = _items("1．实施甲工程。\n2、5G网络建设。\n３．１５分钟生活圈。\n")
    assert [item[1:] for item in items] == [("1．", "实施甲工程"), ("2、", "5G网络建设"), ("３．", "１５分钟生活圈")]


def test_a_decimal_that_does_not_continue_the_numbering_stays_text():
    # 3.5万元 after item 1 is no item 3 (number 2 is missing), nor is 1.2亿 (1 is already used), nor a first item.
    items, _ = _items("1．实施甲工程。\n3.5万元用于培训。\n1.2亿元用于建设。\n")
    assert items == [("1.1.1", "1．", "实施甲工程")]
    first, _ = _items("2.5万元用于培训。\n")
    assert first == []


def test_a_decimal_between_an_item_and_the_next_one_printed_with_its_number_stays_text():
    # 3.5万元 follows item 2, but item 3 is printed after it: the amount is item 2's text.
    items, _ = _items("1．实施甲工程。\n2．实施乙工程。\n3.5万元以上的项目须集体研究。\n3．实施丙工程。\n")
    assert [item[1] for item in items] == ["1．", "2．", "3．"]
    # A higher heading ends the look-ahead: （二） restarts the items, so its 3． does not make 3.5万元 text.
    items, _ = _items("1．实施甲工程。\n2．实施乙工程。\n3.121人才工程。\n（二）强化监督\n1．建立制度。\n3．检查。\n")
    assert [(item[0], item[2]) for item in items] == [("1.1.1", "实施甲工程"), ("1.1.2", "实施乙工程"),
                                                      ("1.1.3", "121人才工程"), ("1.2.1", "建立制度"), ("1.2.3", "检查")]


def test_a_bare_figure_after_an_item_is_text_not_the_next_item():
    # A table printed as paragraphs (corpus tables/10 line 156 prints 4.42 after item 3): no sentence, no item.
    items, _ = _items("1．实施甲工程。\n2．实施乙工程。\n3．编制系统方案。\n4.42\n4.42平方公里\n")
    assert [item[1] for item in items] == ["1．", "2．", "3．"]
