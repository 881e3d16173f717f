"""Rules of the change log (pipeline/changes/log.py, values.py, textdiff.py) on small hand-made
tables: the order of a task's unit rows, a unit printed twice, cell values read back from any
format, and the text diff's folding. Expected rows are written from the module docstring."""
from __future__ import annotations

import copy
import datetime as dt
import math

import pytest

from pipeline.changes import compute_changes, text_diff
from pipeline.changes.textdiff import value_change
from pipeline.changes.values import as_text, number_or_inf, strip_item_numbers

DOC = "doc"


def unit(label: str, unit_id: str, role: str = "lead", position: int = 1) -> dict:
    return {"doc_id": DOC, "task_id": "1.1", "role": role,
            "role_label": {"lead": "牵头单位", "co": "协办单位"}[role],
            "unit_label": label, "unit_id": unit_id, "position": position}


def release(*units: dict) -> dict[str, list[dict]]:
    return {
        "documents": [{"doc_id": DOC, "title": "某某通知"}],
        "sections": [{"doc_id": DOC, "section_id": "1", "level": 1, "label": "一、", "parent_id": None,
                      "heading": "总体要求", "body": "", "line_start": 3}],
        "tasks": [{"doc_id": DOC, "task_id": "1.1", "section_id": "1", "title": "加强监督",
                   "text": "1.加强监督。", "seq": 1}],
        "assignments": list(units),
    }


def rows(old: dict, new: dict) -> list[tuple[str, ...]]:
    return [(r["entity"], r["change"], r["old_id"], r["new_id"], r["detail"]) for r in compute_changes(old, new)]


def test_a_removed_unit_comes_before_a_unit_whose_id_moved_whatever_their_positions():
    old = release(unit("市财政局", "finance", position=1), unit("市审计局", "audit", position=2))
    new = release(unit("市财政局", "finance-2", position=1))
    assert rows(old, new) == [
        ("task", "units_changed", "1.1", "1.1", "lead: -市审计局 [audit]"),
        ("assignment", "removed", "1.1/lead/市审计局", "", "牵头单位 市审计局 [audit]"),
        ("assignment", "metadata_changed", "1.1/lead/市财政局", "1.1/lead/市财政局",
         "unit_id: finance → finance-2"),
    ]


def test_an_added_unit_comes_after_a_removed_one_and_before_an_id_change():
    old = release(unit("市财政局", "finance", position=1), unit("市审计局", "audit", position=3))
    new = release(unit("市财政局", "finance-2", position=2), unit("市监察局", "supervision", position=1))
    assert [r[1] for r in rows(old, new)] == ["units_changed", "removed", "added", "metadata_changed"]


def test_a_unit_printed_twice_and_once_later_is_one_removal():
    old = release(unit("市财政局", "finance", position=1), unit("市财政局", "finance", position=2))
    new = release(unit("市财政局", "finance", position=1))
    assert rows(old, new) == [
        ("task", "units_changed", "1.1", "1.1", "lead: -市财政局 [finance]"),
        ("assignment", "removed", "1.1/lead/市财政局#2", "", "牵头单位 市财政局 [finance]"),
    ]


def test_a_unit_printed_twice_where_once_before_is_one_addition():
    old = release(unit("市财政局", "finance", position=1))
    new = release(unit("市财政局", "finance", position=1), unit("市财政局", "finance", position=2))
    assert rows(old, new) == [
        ("task", "units_changed", "1.1", "1.1", "lead: +市财政局 [finance]"),
        ("assignment", "added", "", "1.1/lead/市财政局#2", "牵头单位 市财政局 [finance]"),
    ]


def test_a_unit_printed_three_times_and_once_later_is_two_removals():
    old = release(*(unit("市财政局", "finance", position=p) for p in (1, 2, 3)))
    new = release(unit("市财政局", "finance", position=1))
    assert rows(old, new) == [
        ("task", "units_changed", "1.1", "1.1", "lead: -市财政局 [finance] -市财政局 [finance]"),
        ("assignment", "removed", "1.1/lead/市财政局#2", "", "牵头单位 市财政局 [finance]"),
        ("assignment", "removed", "1.1/lead/市财政局#3", "", "牵头单位 市财政局 [finance]"),
    ]


def test_a_unit_printed_three_times_where_once_before_is_two_additions():
    old = release(unit("市财政局", "finance", position=1))
    new = release(*(unit("市财政局", "finance", position=p) for p in (1, 2, 3)))
    assert rows(old, new) == [
        ("task", "units_changed", "1.1", "1.1", "lead: +市财政局 [finance] +市财政局 [finance]"),
        ("assignment", "added", "", "1.1/lead/市财政局#2", "牵头单位 市财政局 [finance]"),
        ("assignment", "added", "", "1.1/lead/市财政局#3", "牵头单位 市财政局 [finance]"),
    ]


def test_an_unresolved_unit_is_named_unresolved():
    old = release()
    new = release(unit("某某办", ""))
    assert rows(old, new)[0][4] == "lead: +某某办 [unresolved]"


def test_lead_units_are_listed_before_co_units():
    old = release()
    new = release(unit("市审计局", "audit", role="co", position=1), unit("市财政局", "finance", position=2))
    assert rows(old, new) == [
        ("task", "units_changed", "1.1", "1.1", "lead: +市财政局 [finance]; co: +市审计局 [audit]"),
        ("assignment", "added", "", "1.1/lead/市财政局", "牵头单位 市财政局 [finance]"),
        ("assignment", "added", "", "1.1/co/市审计局", "协办单位 市审计局 [audit]"),
    ]


def test_the_doc_id_is_never_reported_as_a_metadata_change():
    old, new = release(), release()
    new["documents"][0]["issuer"] = "某某市人民政府"
    assert rows(old, new) == [("document", "metadata_changed", DOC, DOC, "issuer: (empty) → 某某市人民政府")]


def test_a_moved_section_names_its_new_parent_and_label():
    old = release()
    old["sections"].append({"doc_id": DOC, "section_id": "1.2", "level": 2, "label": "（二）", "parent_id": "1",
                            "heading": "完善制度建设的各项具体要求", "body": "", "line_start": 9})
    old["sections"].append({"doc_id": DOC, "section_id": "2", "level": 1, "label": "二、", "parent_id": None,
                            "heading": "主要任务", "body": "", "line_start": 5})
    new = copy.deepcopy(old)
    new["sections"][1].update(section_id="2.1", label="（一）", parent_id="2", line_start=12)
    assert rows(old, new) == [("section", "renumbered", "1.2", "2.1",
                               "（二） → （一） parent 1 → 2 「完善制度建设的各项具体要求」")]


# -- values read back from CSV, JSON, Parquet or DuckDB compare as the same text ----------------
@pytest.mark.parametrize("value, text", [
    (None, ""), (math.nan, ""), (True, "true"), (False, "false"), (3.0, "3"), (2.5, "2.5"),
    (math.inf, "inf"), (7, "7"), ("七", "七"),
    (dt.datetime(2008, 5, 1), "2008-05-01"), (dt.datetime(2008, 5, 1, 8, 30), "2008-05-01T08:30:00"),
    (dt.date(2008, 5, 1), "2008-05-01"),
])
def test_cells_as_text(value, text):
    assert as_text(value) == text


def test_pandas_missing_values_are_empty():
    import pandas as pd

    assert as_text(pd.NA) == "" and as_text(pd.NaT) == ""


def test_numbers_for_ordering():
    assert number_or_inf("3") == 3.0 and number_or_inf(2) == 2.0
    assert number_or_inf("") == math.inf and number_or_inf(None) == math.inf and number_or_inf("x") == math.inf


def test_item_numbers_are_stripped_from_every_line():
    assert strip_item_numbers("1.健全制度\n12、建立机制\n正文") == "健全制度\n建立机制\n正文"
    # a bare number with nothing after it is kept as it is
    assert strip_item_numbers("3.") == "3."


# -- text diff --------------------------------------------------------------------------------
def test_edits_two_characters_apart_are_folded_into_one():
    assert text_diff("甲1乙丙2丁", "甲3乙丙4丁") == "-「1乙丙2」 +「3乙丙4」"


def test_edits_three_characters_apart_stay_apart():
    assert text_diff("甲1乙丙戊2丁", "甲3乙丙戊4丁") == "-「1」 +「3」 -「2」 +「4」"


def test_a_fold_joins_the_last_edit_only():
    assert text_diff("一甲乙丙丁二戊三", "壹甲乙丙丁贰戊叁") == "-「一」 +「壹」 -「二戊三」 +「贰戊叁」"


def test_same_text_has_an_empty_diff():
    assert text_diff("相同", "相同") == ""


def test_fragments_show_tabs_as_spaces_and_line_ends_as_arrows():
    assert text_diff("甲", "甲\t乙\r\n丙") == "+「 乙↵丙」"


def test_a_fragment_is_cut_at_80_characters():
    assert text_diff("", "字" * 80) == "+「" + "字" * 80 + "」"
    assert text_diff("", "字" * 81) == "+「" + "字" * 80 + "…」"


def test_a_diff_is_cut_to_its_limit():
    assert text_diff("", "字" * 10, limit=13) == "+「" + "字" * 10 + "」"
    assert text_diff("", "字" * 10, limit=12) == "+「" + "字" * 9 + "…"


def test_a_repeated_character_run_diffs_as_the_extra_characters():
    assert text_diff("好好好", "好好好好好") == "+「好好」"
    assert text_diff("好好好好好", "好好好") == "-「好好」"


def test_the_common_head_is_cut_before_the_common_tail():
    assert text_diff("甲乙甲", "甲乙甲乙甲") == "+「乙甲」"
    assert text_diff("甲乙甲乙甲", "甲乙甲") == "-「乙甲」"


def test_the_common_tail_is_cut_before_matching_the_middle():
    # matched whole, the repeated 甲乙 would pair with the first copy and fold into one long edit
    assert text_diff("丙甲乙", "丁甲乙甲乙") == "-「丙」 +「丁甲乙」"


def test_the_common_tail_never_reaches_into_the_common_head():
    # head 甲乙; of the common tail 甲乙甲乙甲 only the 3 characters after the head count
    assert text_diff("甲乙甲乙甲", "甲乙丙甲乙甲乙甲") == "+「丙甲乙」"


def test_short_header_values_are_shown_whole():
    assert value_change("title", "", "新标题") == "title: (empty) → 新标题"
    assert value_change("title", "旧", "") == "title: 旧 → (empty)"
    assert value_change("title", "甲" * 40, "乙" * 40) == f"title: {'甲' * 40} → {'乙' * 40}"


def test_long_or_multiline_header_values_show_a_text_diff():
    assert value_change("title", "甲" * 41, "甲" * 40) == "title: -「甲」"
    assert value_change("title", "甲\n乙", "甲\n丙") == "title: -「乙」 +「丙」"


def test_tables_read_back_from_json_give_the_same_rows():
    # strings decoded from two files are equal but not the same objects: compared by value, never identity
    import json

    old = release(unit("市财政局", "finance", position=1), unit("市审计局", "audit", role="co", position=1),
                  unit("市纪委", "discipline", role="co", position=2))
    new = release(unit("市财政局", "finance-2", position=1), unit("市审计局", "audit", role="co", position=1),
                  unit("市纪委", "discipline", role="co", position=2),
                  unit("市监察局", "supervision", role="co", position=3))
    expected = [
        ("task", "units_changed", "1.1", "1.1", "co: +市监察局 [supervision]"),
        ("assignment", "metadata_changed", "1.1/lead/市财政局", "1.1/lead/市财政局", "unit_id: finance → finance-2"),
        ("assignment", "added", "", "1.1/co/市监察局", "协办单位 市监察局 [supervision]"),
    ]  # a task's unit rows: lead before co, then removed, added, unit_id moved
    assert rows(old, new) == expected
    assert rows(json.loads(json.dumps(old)), json.loads(json.dumps(new))) == expected


def test_a_second_edit_after_the_common_head_is_placed_by_its_own_offset():
    """Head "a" is cut first; the second edit stands at offset 5 of the rest, so at 6 in the text."""
    from pipeline.changes.textdiff import text_diff

    assert text_diff("aPxyzwQb", "aRxyzwSb") == "-「P」 +「R」 -「Q」 +「S」"
