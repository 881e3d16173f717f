"""The parser's fast paths read text exactly as the general paths they short-cut."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core_helpers import unit_registry  # noqa: E402
from pipeline.core.clauses import read_clause  # noqa: E402
from pipeline.core.lines import count_lines, split_lines  # noqa: E402
from pipeline.core.notice import parse_notice  # noqa: E402
from pipeline.core.sentences import split_unit_list  # noqa: E402


def test_lines_are_numbered_alike_whatever_the_line_ends():
    lf = "一、加强领导\n\n　（一）健全制度。\n牵头单位：市纪委\n"
    expected = [(1, "一、加强领导"), (2, ""), (3, "（一）健全制度。"), (4, "牵头单位：市纪委")]
    for text in (lf, lf.replace("\n", "\r\n"), lf.replace("\n", "\r")):
        assert [(line.number, line.text) for line in split_lines(text)] == expected
        assert count_lines(text) == 4
    # A form feed is dropped wherever it falls, in LF text as in CRLF text.
    for text in ("一、加\f强领导\n\f二、严格\n", "一、加\f强领导\r\n\f二、严格\r\n"):
        assert [line.text for line in split_lines(text)] == ["一、加强领导", "二、严格"]


def test_a_plain_unit_list_is_cut_at_every_separator_and_trimmed():
    assert split_unit_list("市纪委、 市监察局，市财政局；;市审计局。") == (
        ["市纪委", "市监察局", "市财政局", "市审计局"], False)
    assert split_unit_list("市纪委、市监察局等") == (["市纪委", "市监察局"], True)
    # With a collective in the list the spanning rule still applies.
    assert split_unit_list("市纪委、各省、自治区、直辖市人民政府") == (["市纪委", "各省、自治区、直辖市人民政府"], False)


def test_a_clause_unit_longer_than_a_name_is_not_a_clause():
    assert read_clause(f"{'甲' * 30}牵头") is not None
    assert read_clause(f"市纪委、{'甲' * 31}牵头") is None
    assert read_clause("市纪委的工作负责") is None


NOTICE = """台州市人民政府关于印发测试方案的通知
各县（市、区）人民政府：
一、加强领导
（一）健全制度。
完善各项规定。
牵头单位：中共台州市委党校、市未知局
（二）强化监督。
开展专项检查。
牵头单位：中共台州市委党校
配合单位：市未知局
台州市人民政府
2008年8月11日
"""


def test_each_printing_of_a_label_is_resolved_and_reported():
    rows = parse_notice(NOTICE.encode("utf-8"), "test.txt", unit_registry())
    assignments = rows.tables["assignments"]
    assert [(row["line"], row["unit_label"], row["unit_id"]) for row in assignments] == [
        (6, "中共台州市委党校", "cpc-party-school"), (6, "市未知局", None),
        (9, "中共台州市委党校", "cpc-party-school"), (10, "市未知局", None)]
    found = [(f.line, f.kind) for f in rows.findings if f.kind in ("alias_used", "unresolved_unit")]
    assert found == [(6, "alias_used"), (6, "unresolved_unit"), (9, "alias_used"), (10, "unresolved_unit")]
