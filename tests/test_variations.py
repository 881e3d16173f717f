"""Issue 3, robust input: realistic copies of the bundled notice give the same tables.

A "realistic copy" is the bundled notice re-encoded, re-spaced, re-numbered or
relabelled the way other publishers print the same text (see core_helpers.FAMILIES).
"The same tables" (core_helpers.assert_same_tables) means every row of every table
is equal after dropping only
  * source metadata: documents.source_* and every row's source_sha256,
  * the printed numbering label: sections.label, tasks.label,
  * the raw unit-line label: assignments.role_label,
  * line columns: line, line_start, line_end, documents.source_lines,
and after rewriting, on BOTH sides, the item numbering mark at the start of each
line of tasks.text (``１．`` / ``1、`` / ``1. `` → ``1.``): task text carries the item's
printed line. Nothing else in the text is normalised.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works whether or not tests/ is a package
from core_helpers import (ENCODINGS, FAMILIES, NEWLINES, NOTICE_FILE, assert_same_tables,  # noqa: E402
                          bundled_bytes, classified, normalise_item_marks, notice_lines, original, parse,
                          parse_lines, render, render_text, uniform)

from pipeline.core.marks import match_heading, match_unit_line  # noqa: E402

# -- one variation at a time (the project standard: parametrised over format variations) -----

PER_LINE_CASES = [
    pytest.param(family, option, id=f"{family}-{option}")
    for family, options in FAMILIES.items() for option in range(1, len(options))
]


@pytest.mark.parametrize(("family", "option"), PER_LINE_CASES)
def test_each_per_line_variation_gives_the_same_tables(family, option):
    data = render(uniform(**{family: option}))
    assert data != render(), "the variation must change the file"
    assert_same_tables(parse(data), original(), f"{family}={option}")


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_each_encoding_gives_the_same_tables_and_is_recorded(encoding):
    rows = parse(render(encoding=encoding))
    assert_same_tables(rows, original(), encoding)
    assert rows.tables["documents"][0]["source_encoding"] == ENCODINGS[encoding][1]


def test_option_zero_of_every_family_is_the_bundled_notice():
    """The variations above are measured against the notice itself, not against a re-rendering of it."""
    assert render() == bundled_bytes()


def test_plain_utf8_is_recorded_as_utf8():
    assert original().tables["documents"][0]["source_encoding"] == "utf-8"


@pytest.mark.parametrize("newline", NEWLINES, ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("final_newline", [False, True], ids=["no-final-eol", "final-eol"])
def test_each_line_end_gives_the_same_tables(newline, final_newline):
    rows = parse(render(newline=newline, final_newline=final_newline))
    assert_same_tables(rows, original(), repr(newline))
    assert rows.tables["documents"][0]["source_lines"] == len(notice_lines())


def test_mixed_line_ends_in_one_file():
    text = render_text(uniform(blank_after=1))
    pieces = text.split("\n")
    ends = ["\n", "\r\n", "\r"]
    mixed = pieces[0] + "".join(ends[i % 3] + piece for i, piece in enumerate(pieces[1:]))
    assert_same_tables(parse(mixed.encode("utf-8")), original(), "mixed line ends")


def test_everything_at_once():
    """The last option of every family on every line, GB18030, CRLF."""
    last = {family: len(options) - 1 for family, options in FAMILIES.items()}
    data = render(uniform(**last), encoding="gbk", newline="\r\n", final_newline=True)
    rows = parse(data)
    assert_same_tables(rows, original(), "all variations")
    assert rows.tables["documents"][0]["source_encoding"] == "gb18030"


def test_blank_lines_shift_line_numbers_but_nothing_else():
    rows = parse(render(uniform(blank_after=2)))  # two blank lines after every line
    assert_same_tables(rows, original(), "blank lines")
    # The line columns do follow the copy: line n of the notice is line 3n-2 here.
    # The first task (二（一）) is printed on lines 21–23 of the notice.
    first_task = rows.tables["tasks"][0]
    assert (first_task["line_start"], first_task["line_end"]) == (3 * 21 - 2, 3 * 23 - 2)


def test_merged_heading_and_body_keep_heading_and_body_apart():
    rows = parse(render(uniform(merge=1)))
    sections = {row["section_id"]: row for row in rows.tables["sections"]}
    assert sections["1.1"]["heading"] == "指导思想"
    assert sections["1.1"]["body"].startswith("高举中国特色社会主义伟大旗帜")
    assert sections["8.1"]["heading"] == "加强领导"  # printed 加强领导。 on its own line
    assert sections["8.1"]["line_start"] == sections["8.1"]["line_end"]  # now one line
    assert_same_tables(rows, original(), "merged headings")


# -- header fields ---------------------------------------------------------------------------
# Lines 3 (addressees, ending in ：), 4 (notice text), 5 (issuer) and 6 (2008年8月11日) of the notice.

def _with_header_line(number: int, text: str) -> list[str]:
    lines = notice_lines()
    lines[number - 1] = text
    return lines


@pytest.mark.parametrize("date", [
    "二〇〇八年八月十一日", "二零零八年八月十一日", "２００８年８月１１日", "2008 年 8 月 11 日",
    "2008年08月11日", "二〇〇八年\u3000八月\u3000十一日", "２００８ 年 ８ 月 １１ 日",
    # ○ (U+25CB WHITE CIRCLE) is the zero many documents actually print.
    "二○○八年八月十一日",
])
def test_issue_date_forms_give_the_same_tables(date):
    assert notice_lines()[5] == "2008年8月11日"
    rows = parse_lines(_with_header_line(6, date))
    assert_same_tables(rows, original(), date)
    assert rows.tables["documents"][0]["issue_date"] == dt.date(2008, 8, 11)


@pytest.mark.parametrize("date", ["2008年2月30日", "2008年十十月1日", "2008年8月"])
def test_a_line_that_is_not_a_date_is_not_the_issue_date(date):
    rows = parse_lines(_with_header_line(6, date))
    [doc] = rows.tables["documents"]
    assert doc["issue_date"] is None
    # Since issue 9 a missing date is a warning about the header, which starts at line 1.
    assert [(f.line, f.severity) for f in rows.findings if f.kind == "missing_issue_date"] == [(1, "warning")]


def _addressees_line() -> str:
    line = notice_lines()[2]
    assert line.endswith("各人民团体党组：")
    return line


@pytest.mark.parametrize("colon", [":", "： ", "：\u3000", " :", "\u3000："])
def test_addressee_colon_forms_give_the_same_tables(colon):
    line = _addressees_line().removesuffix("：") + colon
    assert_same_tables(parse_lines(_with_header_line(3, line)), original(), repr(colon))


@pytest.mark.parametrize("colon", ["：", ":"], ids=["full", "half"])
def test_addressees_wrapped_over_two_lines(colon):
    line = _addressees_line().removesuffix("：")
    cut = line.index("在台省部属")  # after 市级国家机关各部门党委（党组），
    lines = notice_lines()
    lines[2:3] = [line[:cut], line[cut:] + colon]
    rows = parse_lines(lines)
    [doc] = rows.tables["documents"]
    [expected] = original().tables["documents"]
    assert doc["addressees"].replace("\n", "") == expected["addressees"]  # joined or kept as two lines
    assert doc["notice_body"] == expected["notice_body"]
    assert doc["issuer"] == "中共台州市委"
    assert not [f for f in rows.findings if f.kind == "missing_header_field"]


# -- unit-list separators ---------------------------------------------------------------------
# The separator family (core_helpers.SEPARATORS) already re-prints every list with ， , ； ; and
# mixes of them; the tests below are about what must NOT split a list.

@pytest.mark.parametrize("printed", ["市财政（地税、国税）局", "市财政(地税、国税)局", "市财政（地税，国税）局",
                                     "市财政（地税、国税)局", "市财政【地税；国税】局"])
def test_separator_inside_brackets_keeps_one_unit(printed):
    """六（七）8 prints 市财政（地税）局 as the 7th of 23 co-operating units (line 204)."""
    lines = notice_lines()
    assert "、市财政（地税）局、" in lines[203]
    lines[203] = lines[203].replace("市财政（地税）局", printed)
    rows = parse_lines(lines)
    co = [row for row in rows.tables["assignments"] if row["task_id"] == "6.7.8" and row["role"] == "co"]
    base = [row for row in original().tables["assignments"] if row["task_id"] == "6.7.8" and row["role"] == "co"]
    assert len(co) == 23
    assert [row["unit_label"] for row in co] == [printed if row["unit_label"] == "市财政（地税）局"
                                                  else row["unit_label"] for row in base]
    assert co[6]["unit_label"] == printed and co[6]["position"] == 7
    # The new label is in neither the registry nor the aliases: reported, not split, not dropped.
    assert [(f.kind, f.value) for f in rows.findings if f.line == 204] == [("unresolved_unit", printed)]


def test_he_never_splits_a_unit_list():
    """三（三）'s lead line 48 is 市委办、市府办; printed with 和 it is one (unknown) label."""
    lines = notice_lines()
    assert lines[47] == "牵头单位：市委办、市府办"
    lines[47] = "牵头单位：市委办和市府办"
    rows = parse_lines(lines)
    lead = [row["unit_label"] for row in rows.tables["assignments"] if row["task_id"] == "3.3" and row["role"] == "lead"]
    assert lead == ["市委办和市府办"]


# -- form feeds -------------------------------------------------------------------------------
# The page_break family puts \f at line starts, alone on a line and at line ends. A page break can
# also fall inside a line (Word keeps a paragraph whole across a manual break): the line must read
# as if the \f were not there, and no published value may contain it.

MID_LINE_FORM_FEEDS = [
    pytest.param(21, "认真贯彻中央《关于加强党员经常性教育的意见》，", id="paragraph"),
    pytest.param(23, "协办单位：市直机关工委、市文广新局", id="unit-list"),
    pytest.param(20, "（一）认真开展党性", id="section-heading"),
]


@pytest.mark.parametrize(("number", "before"), MID_LINE_FORM_FEEDS)
def test_form_feed_inside_a_line(number, before):
    lines = notice_lines()
    assert lines[number - 1].startswith(before)
    lines[number - 1] = before + "\f" + lines[number - 1][len(before):]
    rows = parse_lines(lines)
    assert_same_tables(rows, original(), f"\\f in line {number}")


@pytest.mark.parametrize("page_break", range(1, len(FAMILIES["page_break"])))
def test_no_published_value_holds_a_form_feed(page_break):
    rows = parse(render(uniform(page_break=page_break)))
    values = [value for table in rows.tables.values() for row in table for value in row.values()]
    assert not [value for value in values if isinstance(value, str) and "\f" in value]


# -- unit-line labels -----------------------------------------------------------------------

@pytest.mark.parametrize("family", ["lead_label", "co_label"])
def test_synonym_labels_change_role_label_only(family):
    for option, label in enumerate(FAMILIES[family]):
        rows = parse(render(uniform(**{family: option})))
        assert_same_tables(rows, original(), label)
        role = "lead" if family == "lead_label" else "co"
        printed = {row["role_label"] for row in rows.tables["assignments"] if row["role"] == role}
        expected = {label} if role == "lead" else {label, "政协单位"}  # the misprint stays as printed
        assert printed == expected


@pytest.mark.parametrize("label", ["责任单位", "责任部门"], ids=["danwei", "bumen"])
@pytest.mark.parametrize("colon", ["：", ":", " : "], ids=["fullwidth", "halfwidth", "spaced"])
def test_responsible_label_gives_role_responsible(label, colon):
    lines = notice_lines()
    assert lines[21].startswith("牵头单位：")  # line 22, the first lead line (二（一）)
    lines[21] = label + colon + lines[21].removeprefix("牵头单位：")
    rows = parse_lines(lines)
    base = original().tables["assignments"]
    got = rows.tables["assignments"]
    assert len(got) == len(base)
    changed = [row for row in got if row["line"] == 22]
    assert changed and all(row["role"] == "responsible" and row["role_label"] == label for row in changed)
    assert [row["unit_id"] for row in changed] == [row["unit_id"] for row in base if row["line"] == 22]
    assert [row["position"] for row in changed] == list(range(1, len(changed) + 1))
    # Its 协办单位 line still belongs to the same task, without a missing_lead finding.
    assert {row["task_id"] for row in got if row["line"] == 23} == {changed[0]["task_id"]}
    assert not [f for f in rows.findings if f.kind == "missing_lead"]
    def others(rows):
        return [{k: v for k, v in row.items() if k != "source_sha256"} for row in rows if row["line"] != 22]
    assert others(got) == others(base)


def test_responsible_line_alone_makes_a_task():
    lines = notice_lines()
    lines[21] = "责任单位：市纪委"
    del lines[22]  # its 协办单位 line
    rows = parse_lines(lines)
    task = [row for row in rows.tables["assignments"] if row["task_id"] == "2.1"]
    assert [(row["role"], row["role_label"], row["unit_label"]) for row in task] == [
        ("responsible", "责任单位", "市纪委")]
    assert len(rows.tables["tasks"]) == len(original().tables["tasks"])


@pytest.mark.parametrize("line", [
    "牵头单位：市纪委", "牵头单位:市纪委", "牵头单位 ： 市纪委", "牵头单位\u3000:\u3000市纪委",
    "牵头部门：市纪委", "协办部门：市纪委", "配合单位：市纪委", "参与单位：市纪委", "责任单位：市纪委",
])
def test_unit_line_forms(line):
    label, listed = match_unit_line(line)
    assert label == line[:4] and listed == "市纪委"


# -- numbering marks ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "level", "ordinal"), [
    ("一、总体要求", 1, 1), ("一.总体要求", 1, 1), ("一．总体要求", 1, 1), ("十二、总体要求", 1, 12),
    ("（一）指导思想", 2, 1), ("(一)指导思想", 2, 1), ("（一)指导思想", 2, 1), ("（一）、指导思想", 2, 1),
    ("(一)、指导思想", 2, 1), ("（二十一）指导思想", 2, 21),
    ("1.健全", 3, 1), ("1．健全", 3, 1), ("１．健全", 3, 1), ("1、健全", 3, 1), ("12.健全", 3, 12),
    ("2.2009年底前完成", 3, 2),  # a year after the mark: still item 2
])
def test_accepted_numbering_marks(text, level, ordinal):
    found = match_heading(text)
    assert found is not None and (found.level, found.ordinal) == (level, ordinal)


@pytest.mark.parametrize("text", [
    "3.5万元以上的项目", "３．５万元以上的项目", "1.2亿元", "10.5%的增长", "3、5月份开展",
    "十十、不是章", "二二、不是章", "（一）", "一、",
])
def test_not_a_heading(text):
    assert match_heading(text) is None


@pytest.mark.parametrize("amount", ["3.5万元以上的项目须集体研究。", "３．５万元以上的项目须集体研究。",
                                    "1.2亿元以上的项目须集体研究。", "3、5月份开展集中检查。"])
def test_amount_at_line_start_is_body_text_not_an_item(amount):
    lines = notice_lines()
    assert lines[59].startswith("2.建立廉情测评办法")  # 三（六）2, followed by item 3
    lines.insert(60, amount)
    rows = parse_lines(lines)
    sections = {row["section_id"]: row for row in rows.tables["sections"]}
    assert len(sections) == len(original().tables["sections"])
    assert sections["3.6.2"]["body"].endswith(amount)
    assert sections["3.6.3"]["line_start"] == 62


# -- random mixes (property-based) ----------------------------------------------------------

_RADIX = 1
for _options in FAMILIES.values():
    _RADIX *= len(_options)
_FAMILY_NAMES = list(FAMILIES)


def _chooser(enabled: frozenset[str], per_line: list[int]):
    """One integer per line, read digit by digit in the mixed radix of FAMILIES."""
    def choose(index: int, family: str) -> int:
        if family not in enabled:
            return 0
        value = per_line[index]
        for name in _FAMILY_NAMES:
            value, digit = divmod(value, len(FAMILIES[name]))
            if name == family:
                return digit
        raise AssertionError(family)
    return choose


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    encoding=st.sampled_from(list(ENCODINGS)),
    newline=st.sampled_from(NEWLINES),
    final_newline=st.booleans(),
    enabled=st.frozensets(st.sampled_from(_FAMILY_NAMES)),
    per_line=st.lists(st.integers(0, _RADIX - 1), min_size=len(classified()), max_size=len(classified())),
)
def test_random_mix_of_variations_gives_the_same_tables(encoding, newline, final_newline, enabled, per_line):
    data = render(_chooser(enabled, per_line), encoding=encoding, newline=newline, final_newline=final_newline)
    rows = parse(data, NOTICE_FILE)
    assert_same_tables(rows, original(), f"{encoding} {newline!r} {sorted(enabled)}")
    assert rows.tables["documents"][0]["source_encoding"] == ENCODINGS[encoding][1]


def test_normaliser_only_touches_item_marks():
    assert normalise_item_marks("１．健全。\n2、建立。\n3. 建立\n3.5万元") == "1.健全。\n2.建立。\n3.建立\n3.5万元"
    assert normalise_item_marks("认真贯彻1.落实") == "认真贯彻1.落实"
