"""The change log between two releases (pipeline/changes/).

Amended editions of the bundled notice are described in tests/fixtures/amendments/
as edits plus the change rows expected, written by hand from the edit.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from pipeline.changes import (CHANGE_COLUMNS, CHANGES, ENTITIES, compute_changes, display_width,
                              format_changes_table, text_diff)
from pipeline.core.notice import parse_notice
from pipeline.core.registry import UnitRegistry

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "sources" / "taizhou-anticorruption-2008-2012.txt"
AMENDMENTS = ROOT / "tests" / "fixtures" / "amendments"
DOC_ID = "taizhou-anticorruption-2008-2012"


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    return UnitRegistry.from_csv((ROOT / "sources" / "units.csv").read_text(encoding="utf-8"),
                                 (ROOT / "sources" / "unit_aliases.csv").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def base_text() -> str:
    return SOURCE.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def base(registry, base_text) -> dict:
    return parse_notice(base_text.encode("utf-8"), SOURCE.name, registry, doc_id=DOC_ID).tables


def apply_edits(text: str, edits: list[dict]) -> str:
    """Apply a fixture's edits; line numbers are those of the bundled notice (applied bottom-up)."""
    lines = text.split("\n")

    def anchor(edit: dict) -> int:
        return edit.get("line") or edit.get("insert_after") or edit["delete_lines"][0]

    for edit in sorted(edits, key=anchor, reverse=True):
        if "replace" in edit:
            line = lines[edit["line"] - 1]
            assert line.count(edit["replace"]) == 1, f"line {edit['line']} does not hold {edit['replace']!r} once"
            lines[edit["line"] - 1] = line.replace(edit["replace"], edit["with"])
        elif "delete_lines" in edit:
            first, last = edit["delete_lines"]
            assert lines[first - 1].startswith(edit["first"]), f"line {first} is not {edit['first']!r}"
            del lines[first - 1:last]
        elif "insert_after" in edit:
            at = edit["insert_after"]
            lines[at:at] = edit["lines"]
        else:
            raise AssertionError(f"unknown edit {edit}")
    return "\n".join(lines)


def edition(registry, text: str) -> dict:
    rows = parse_notice(text.encode("utf-8"), "taizhou-amended.txt", registry, doc_id=DOC_ID)
    assert not rows.errors, rows.errors
    return rows.tables


def amended(registry, base_text: str, name: str) -> tuple[dict, list[list[str]]]:
    fixture = json.loads((AMENDMENTS / name).read_text(encoding="utf-8"))
    return edition(registry, apply_edits(base_text, fixture["edits"])), fixture["expected"]


def old_edition(registry, base_text: str, base: dict, name: str) -> dict:
    """The old side of a fixture: the bundled notice, or the bundled notice with the fixture's old_edits."""
    fixture = json.loads((AMENDMENTS / name).read_text(encoding="utf-8"))
    return edition(registry, apply_edits(base_text, fixture["old_edits"])) if "old_edits" in fixture else base


def as_lists(rows: list[dict]) -> list[list[str]]:
    return [[row[column] for column in CHANGE_COLUMNS] for row in rows]


FIXTURES = sorted(path.name for path in AMENDMENTS.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURES)
def test_amendment_fixture(registry, base_text, base, name):
    new, expected = amended(registry, base_text, name)
    assert as_lists(compute_changes(old_edition(registry, base_text, base, name), new)) == expected


def test_every_required_amendment_has_a_fixture():
    assert {"insert_item.json", "delete_section_4_7.json", "institutional_reform.json", "lead_changed.json",
            "edit_sentence.json", "issue_date.json", "no_edit.json", "unit_printed_twice.json",
            "tie_identical_sections.json", "tie_similar_sections.json", "removal_next_to_edit.json",
            "repeated_characters.json"} <= set(FIXTURES)


@pytest.mark.parametrize("name", ["delete_section_4_7.json", "insert_item.json", "combined.json",
                                  "removal_next_to_edit.json", "unit_printed_twice.json"])
def test_reverse_direction_mirrors(registry, base_text, base, name):
    """Going back from the amended text to the old one swaps added/removed and old/new ids."""
    new, _ = amended(registry, base_text, name)
    old = old_edition(registry, base_text, base, name)
    forward = compute_changes(old, new)
    assert forward
    backward = compute_changes(new, old)
    mirror = {"added": "removed", "removed": "added"}
    flipped = sorted((r["entity"], mirror.get(r["change"], r["change"]), r["new_id"], r["old_id"]) for r in forward)
    assert sorted((r["entity"], r["change"], r["old_id"], r["new_id"]) for r in backward) == flipped


def test_rows_are_strings_with_the_schema_vocabulary(registry, base_text, base):
    new, _ = amended(registry, base_text, "combined.json")
    rows = compute_changes(base, new)
    assert rows
    for row in rows:
        assert tuple(row) == CHANGE_COLUMNS
        assert all(isinstance(value, str) for value in row.values())
        assert row["entity"] in ENTITIES and row["change"] in CHANGES
        assert row["detail"]
        assert (row["old_id"] == "") == (row["change"] == "added")
        assert (row["new_id"] == "") == (row["change"] == "removed")


# -- first release, documents ------------------------------------------------------------
def test_first_release_has_an_empty_change_log(base):
    assert compute_changes({}, base) == []
    assert compute_changes({name: [] for name in base}, base) == []


def test_same_release_has_no_changes(base):
    assert compute_changes(base, copy.deepcopy(base)) == []


def test_a_document_new_or_dropped_in_a_release_is_one_row(base):
    other = copy.deepcopy(base)
    for rows in other.values():
        for row in rows:
            row["doc_id"] = "other-plan"
    other["documents"][0]["title"] = "另一份实施细则"
    both = {name: base[name] + other[name] for name in base}
    assert compute_changes(base, both) == [
        {"entity": "document", "change": "added", "old_id": "", "new_id": "other-plan", "detail": "另一份实施细则"}]
    assert compute_changes(both, base) == [
        {"entity": "document", "change": "removed", "old_id": "other-plan", "new_id": "",
         "detail": "另一份实施细则"}]


def test_several_documents_are_matched_per_doc_id_and_ids_are_qualified(registry, base_text, base):
    """Two documents in one release: only the amended one has rows, its ids carry the doc_id."""
    new, _ = amended(registry, base_text, "delete_section_4_7.json")
    other = copy.deepcopy(base)
    for rows in other.values():
        for row in rows:
            row["doc_id"] = "aaa-other"
    old_release = {name: other[name] + base[name] for name in base}
    new_release = {name: new[name] + other[name] for name in base}  # row order does not matter
    rows = as_lists(compute_changes(old_release, new_release))
    assert rows[:2] == [["section", "removed", f"{DOC_ID}/4.7", "", "（七）加强和改进舆论监督"],
                        ["section", "renumbered", f"{DOC_ID}/4.8", f"{DOC_ID}/4.7", "（八） → （七） 「健全监督机制」"]]
    assert rows[4] == ["assignment", "removed", f"{DOC_ID}/4.7/lead/市委宣传部", "",
                       "牵头单位 市委宣传部 [cpc-publicity-dept]"]
    assert len(rows) == 8


def test_long_header_fields_show_a_text_diff(base):
    new = copy.deepcopy(base)
    new["documents"][0]["preamble"] = base["documents"][0]["preamble"].replace("特制定本实施细则", "特制定本细则")
    new["documents"][0]["issuer"] = "中共台州市委 台州市人民政府"
    assert as_lists(compute_changes(base, new)) == [
        ["document", "metadata_changed", DOC_ID, DOC_ID, "issuer: 中共台州市委 → 中共台州市委 台州市人民政府"],
        ["document", "metadata_changed", DOC_ID, DOC_ID, "preamble: -「实施」"],
    ]


# -- what is not a change ------------------------------------------------------------------
def test_provenance_and_line_numbers_are_ignored(base):
    new = copy.deepcopy(base)
    for name, rows in new.items():
        for row in rows:
            for field in ("source_sha256", "source_file", "source_bytes", "source_lines", "source_encoding"):
                if field in row:
                    row[field] = "changed"
            for field in ("line", "line_start", "line_end"):
                if field in row:
                    row[field] = row[field] + 1000
    assert compute_changes(base, new) == []


def test_a_label_printing_variant_under_the_same_id_is_ignored(base):
    new = copy.deepcopy(base)
    for row in new["sections"]:
        row["label"] = row["label"].replace("（", "(").replace("）", ")")
    for row in new["assignments"]:
        if row["role_label"] == "协办单位":
            row["role_label"] = "配合单位"
    assert compute_changes(base, new) == []


def test_values_read_back_as_strings_compare_equal(base):
    """A release read from CSV has strings for ints and dates and "" for empty cells."""
    def stringify(value):
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    as_csv = {name: [{key: stringify(value) for key, value in row.items()} for row in rows]
              for name, rows in base.items()}
    assert compute_changes(as_csv, base) == []
    assert compute_changes(base, as_csv) == []


def test_output_does_not_depend_on_row_order(registry, base_text, base):
    new, _ = amended(registry, base_text, "combined.json")
    expected = compute_changes(base, new)
    shuffled = {name: random.Random(7).sample(rows, len(rows)) for name, rows in new.items()}
    old_shuffled = {name: random.Random(11).sample(rows, len(rows)) for name, rows in base.items()}
    assert compute_changes(old_shuffled, shuffled) == expected


# -- units -----------------------------------------------------------------------------------
def test_a_unit_resolving_to_another_unit_id_is_an_assignment_metadata_change(base):
    """Registry edited between releases: the printed label is the same, its unit_id is not."""
    old = copy.deepcopy(base)
    for row in old["assignments"]:
        if row["task_id"] == "6.7.8" and row["unit_label"] == "市财政（地税）局":
            row["unit_id"] = None
    assert as_lists(compute_changes(old, base)) == [
        ["assignment", "metadata_changed", "6.7.8/co/市财政（地税）局", "6.7.8/co/市财政（地税）局",
         "unit_id: unresolved → finance-bureau"]]


def test_a_unit_moving_from_co_to_lead_is_removed_and_added(base):
    new = copy.deepcopy(base)
    for row in new["assignments"]:
        if row["task_id"] == "7.3" and row["unit_label"] == "市监察局":
            row["role"], row["role_label"], row["position"] = "lead", "牵头单位", 2
    assert as_lists(compute_changes(base, new)) == [
        ["task", "units_changed", "7.3", "7.3", "lead: +市监察局 [supervision-bureau]; co: -市监察局 [supervision-bureau]"],
        ["assignment", "added", "", "7.3/lead/市监察局", "牵头单位 市监察局 [supervision-bureau]"],
        ["assignment", "removed", "7.3/co/市监察局", "", "协办单位 市监察局 [supervision-bureau]"],
    ]


# -- text diff and table -------------------------------------------------------------------------
def test_text_diff_forms():
    assert text_diff("加强监督", "加强管理") == "-「监督」 +「管理」"
    assert text_diff("加强监督", "加强监督制约") == "+「制约」"
    assert text_diff("加强监督制约", "加强监督") == "-「制约」"
    assert text_diff("甲\n乙", "甲\n丙") == "-「乙」 +「丙」"
    assert text_diff("甲乙", "甲\n乙") == "+「↵」"
    # a short unchanged run between two edits is folded into one replacement
    assert text_diff("研究制定信用服务机构", "研究制定征信机构") == "-「信用服务」 +「征信」"
    # separate edits far apart stay separate
    assert text_diff("一二三四五六七八九十", "壹二三四五六七八九拾") == "-「一」 +「壹」 -「十」 +「拾」"


def test_text_diff_of_repeated_characters_is_minimal():
    """Where a run of repeats shrinks or grows, the diff is the one repeat, not the whole run."""
    assert text_diff("加强加强加强", "加强加强") == "-「加强」"
    assert text_diff("加强加强", "加强加强加强") == "+「加强」"
    assert text_diff("要加强加强加强监督", "要加强加强监督") == "-「加强」"
    assert text_diff("啊啊啊", "啊啊啊啊") == "+「啊」"
    assert text_diff("一一二一一", "一一一一") == "-「二」"
    assert text_diff("加强监督加强", "加强加强监督加强") == "+「加强」"


def test_text_diff_is_cut_to_about_200_characters():
    old = "。".join(f"第{i}句旧文字" for i in range(60))
    new = "。".join(f"第{i}句新内容" for i in range(60))
    detail = text_diff(old, new)  # 60 separate edits
    assert len(detail) == 200 and detail.endswith("…") and detail.startswith("-「旧文字」 +「新内容」 -「旧文字」")
    rewrite = text_diff(old * 10, new * 10)  # long rewrite: the junk heuristic keeps it fast
    assert len(rewrite) <= 200
    long = text_diff("", "字" * 500)
    assert long.startswith("+「" + "字" * 80 + "…」") and len(long) <= 200


def test_display_width_counts_cjk_as_two_columns():
    assert display_width("abc") == 3
    assert display_width("市财政局") == 8
    assert display_width("（七）") == 6
    assert display_width("e\u0301") == 1


def test_table_columns_line_up_in_display_width(registry, base_text, base):
    new, _ = amended(registry, base_text, "combined.json")
    rows = compute_changes(base, new)
    lines = format_changes_table(rows).split("\n")
    assert lines[0].split() == list(CHANGE_COLUMNS)
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == len(rows) + 2

    def column_starts(line: str) -> list[int]:
        """Display column at which each of the first five cells starts (cells are separated by 2+ spaces)."""
        starts, width, previous = [], 0, " "
        run = 2
        for char in line:
            if char != " " and previous == " " and run >= 2:
                starts.append(width)
            run = run + 1 if char == " " else 0
            width += display_width(char)
            previous = char
        return starts

    header = column_starts(lines[0])
    assert len(header) == 5
    for line, row in zip(lines[2:], rows):
        starts = column_starts(line)
        # old_id is empty for added rows: that cell has no start of its own
        expected = [start for start, column in zip(header, CHANGE_COLUMNS) if row[column]]
        assert starts[:len(expected)] == expected, line
    assert "4.7" in lines[3] and "加强和改进舆论监督" in lines[3]  # lines[2] is the document row
    assert "4.8" in lines[4] and "（八） → （七）" in lines[4]


def test_table_for_no_changes():
    assert format_changes_table([]) == "No changes."


def test_table_keeps_each_row_on_one_line():
    text = format_changes_table([{"entity": "section", "change": "text_changed", "old_id": "1", "new_id": "1",
                                  "detail": "body: -「甲\n乙」"}])
    assert text.split("\n")[2] == "section  text_changed  1       1       body: -「甲 乙」"


# -- schema ----------------------------------------------------------------------------------------
def test_schema_matches_the_rows(registry, base_text, base):
    schema = json.loads((ROOT / "schemas" / "changes.schema.json").read_text(encoding="utf-8"))
    # The published columns and vocabularies, in their meaningful order (rows sort by entity, then change).
    assert CHANGE_COLUMNS == ("entity", "change", "old_id", "new_id", "detail")
    assert ENTITIES == ("document", "section", "task", "assignment")
    assert CHANGES == ("removed", "added", "renumbered", "text_changed", "deadline_changed", "units_changed",
                       "metadata_changed")
    assert "primaryKey" not in schema
    for field in schema["fields"]:
        assert {"name", "type", "title", "title_zh", "description", "description_zh"} <= set(field)
    for key in ("name", "title", "title_zh", "description", "description_zh"):
        assert schema[key]

    import frictionless

    new, _ = amended(registry, base_text, "combined.json")
    from pipeline.changes.id_parts import with_id_parts

    # What a release publishes: the rows with their ids split (doc_id, section_id, task_id, role, unit_label).
    rows = with_id_parts(compute_changes(base, new), [row["doc_id"] for row in new["documents"]])
    columns = [field["name"] for field in schema["fields"]]
    assert columns[:len(CHANGE_COLUMNS)] == list(CHANGE_COLUMNS)
    data = [columns, *[[row[column] for column in columns] for row in rows]]
    assert any(row["role"] and row["unit_label"] and row["task_id"] for row in rows)
    report = frictionless.Resource(data=data, schema=frictionless.Schema.from_descriptor(schema)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


# -- similarity matching: ties and cost ----------------------------------------------------------
def _section_tables(bodies: list[str], ids: list[str] | None = None) -> dict[str, list[dict]]:
    ids = ids or [f"1.{k + 1}" for k in range(len(bodies))]
    return {
        "documents": [{"doc_id": "d", "title": "t"}],
        "sections": [{"doc_id": "d", "section_id": section_id, "parent_id": "1", "level": 2, "label": "（）",
                      "heading": "工作", "body": body, "line_start": k + 2}
                     for k, (section_id, body) in enumerate(zip(ids, bodies))],
        "tasks": [], "assignments": [],
    }


def test_a_similarity_tie_prefers_the_same_id():
    """Two identical old sections, the later one under the id of the one edited section left:
    the same id wins the tie (not document order); the other copy is removed."""
    body = "加强和改进舆论监督，重视和支持新闻媒体正确开展舆论监督。"
    old = _section_tables(["另一节的正文完全不同。", body, body], ["1.1", "1.2", "1.3"])
    new = _section_tables(["另一节的正文完全不同。", body.replace("正确", "依法")], ["1.1", "1.3"])
    assert as_lists(compute_changes(old, new)) == [
        ["section", "removed", "1.2", "", "（）工作"],
        ["section", "text_changed", "1.3", "1.3", "body: -「正确」 +「依法」"],
    ]


ALPHABET = "加强监督制度建设反腐倡廉教育工作机制完善落实责任党风政考核评价管理体系改革创新推进"


def _permutations(count: int, seed: int) -> list[str]:
    """Bodies of the same characters in different orders: every pair passes difflib's cheap bounds."""
    rng = random.Random(seed)
    return ["".join(rng.sample(ALPHABET, len(ALPHABET))) for _ in range(count)]


def _light_edit(body: str) -> str:
    return body[:10] + "甲" + body[11:30] + "乙" + body[31:]


def _comparisons(monkeypatch, old: dict, new: dict) -> tuple[list[dict], int, int]:
    """The change rows, how many times difflib ran its expensive matching, and how many pairs got a cheap bound."""
    import difflib

    from pipeline.changes import matching

    calls = {"full": 0, "bound": 0}

    def counting(name, real):
        def counted(*args):
            calls[name] += 1
            return real(*args)
        return counted

    monkeypatch.setattr(difflib.SequenceMatcher, "get_matching_blocks",
                        counting("full", difflib.SequenceMatcher.get_matching_blocks))
    monkeypatch.setattr(matching, "_bound", counting("bound", matching._bound))
    rows = compute_changes(old, new)
    monkeypatch.undo()
    return rows, calls["full"], calls["bound"]


def test_similarity_matching_grows_linearly(monkeypatch):
    """N lightly edited sections whose characters all look alike to the cheap bounds: twice N must not
    cost more than about twice the comparisons (comparing every pair costs four times)."""
    full, bounds = {}, {}
    for count in (20, 40):
        bodies = _permutations(count, seed=count)
        rows, full[count], bounds[count] = _comparisons(monkeypatch, _section_tables(bodies),
                                                        _section_tables([_light_edit(b) for b in bodies]))
        assert [(r["change"], r["old_id"], r["new_id"]) for r in rows] == [
            ("text_changed", f"1.{k}", f"1.{k}") for k in range(1, count + 1)]
    assert full[40] <= 2 * full[20] + 10, full
    # Each old node gets a bounded set of candidates (its rank neighbours, its id, its best shingle matches);
    # those sets overlap less as N grows, so the count grows a little faster than N until they stop overlapping.
    from pipeline.changes.matching import NEIGHBOURS, SHINGLE_CANDIDATES

    assert bounds[40] <= 2.5 * bounds[20], bounds
    assert bounds[40] <= 40 * (2 * NEIGHBOURS + 2 + SHINGLE_CANDIDATES), bounds


def test_edited_sections_are_found_far_from_their_rank(monkeypatch):
    """Fifty new sections inserted before fifty edited ones: each edited one is found again (by the
    shingles it shares with its old self), though its rank moved by 50 and its id now names another."""
    bodies = _permutations(50, seed=3)
    inserted = ["新增第" + "一二三四五六七八九十"[k % 10] + "节的内容与原有各节都不相同。" * 2 for k in range(50)]
    new_bodies = inserted + [_light_edit(b) for b in bodies]
    rows, calls, _ = _comparisons(monkeypatch, _section_tables(bodies), _section_tables(new_bodies))
    moved = [(r["change"], r["old_id"], r["new_id"]) for r in rows if r["change"] != "added"]
    assert moved == [change for k in range(1, 51)
                     for change in (("renumbered", f"1.{k}", f"1.{k + 50}"), ("text_changed", f"1.{k}", f"1.{k + 50}"))]
    assert sum(r["change"] == "added" for r in rows) == 50
    assert calls <= 4 * 50, calls
