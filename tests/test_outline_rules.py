"""Which node a heading or a block attaches to, and how numbering is checked (pipeline.core.outline)."""
from __future__ import annotations

from pipeline.core.outline import parse_outline


def test_text_after_a_block_shared_by_items_belongs_to_the_section_not_to_a_sub_item():
    outline = parse_outline("某某工作方案\n"
                            "一、主要任务\n"
                            "（一）加强管理\n"
                            "1．做好甲项工作。\n"
                            "2．做好乙项工作。\n"
                            "（1）做好丙项工作。\n"
                            "牵头单位：市财政局\n"
                            "加强督促检查。\n"
                            "牵头单位：市审计局\n", "synthetic.txt")
    # The first block is shared by items 1 and 2: it is the section's task. The text after it, and the
    # block that governs that text, are the section's again, not the last sub-item's.
    assert [(task.task_id, task.node.section_id, task.text) for task in outline.tasks] == [
        ("1.1", "1.1", "1．做好甲项工作。\n2．做好乙项工作。\n（1）做好丙项工作。"),  # items keep their marks
        ("1.1-2", "1.1", "加强督促检查。")]
    section = next(node for node in outline.nodes if node.section_id == "1.1")
    assert "加强督促检查。" in section.body


def test_a_numbering_gap_under_a_parent_with_children_counts_from_its_own_last_child():
    outline = parse_outline("某某工作方案\n"
                            "一、主要任务\n"
                            "（1）做好甲项工作。\n"
                            "1．做好乙项工作。\n"
                            "（1）做好丙项工作。\n"
                            "（2）做好丁项工作。\n"
                            "（3）做好戊项工作。\n"
                            "2．做好己项工作。\n"
                            "牵头单位：市财政局\n"
                            "（5）做好庚项工作。\n"
                            "牵头单位：市审计局\n", "synthetic.txt")
    # After the block shared by items 1 and 2, （5） is the chapter's sub-item again; the chapter's own
    # last sub-item is （1）, so numbers 2 to 4 are skipped (not 4 alone, counting from item 1's （3）).
    gaps = [finding for finding in outline.findings if finding.kind == "numbering_gap"]
    assert [(gap.line, gap.message) for gap in gaps] == [(10, "sub-item （5） follows number 1: 3 number(s) skipped")]
