"""Notice pages depend on their notice only, so a later release can reuse an unchanged notice's page."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipeline.site import DEFAULT_BASE_URL, build, page_key, write_release_site
from pipeline.publish.tables import read_tables as read_release_tables


@pytest.fixture(scope="module")
def release(built_release) -> Path:
    return (built_release / "latest").resolve()


@pytest.fixture(scope="module")
def bundled(release):
    return read_release_tables(release), json.loads((release / "datapackage.json").read_text(encoding="utf-8"))


def as_notices(tables: dict[str, pa.Table], doc_ids: list[str]) -> dict[str, pa.Table]:
    """The bundled notice as one copy per doc_id (rows of each copy together, in the copies' order)."""
    out = {}
    for name, table in tables.items():
        if "doc_id" not in table.column_names:
            out[name] = table
            continue
        index = table.schema.get_field_index("doc_id")
        out[name] = pa.concat_tables(
            [table.set_column(index, table.schema.field(index), pa.array([doc_id] * table.num_rows, pa.string()))
             for doc_id in doc_ids])
    return out


def retitled(tables: dict[str, pa.Table], doc_id: str, heading: str) -> dict[str, pa.Table]:
    """The first section of one notice under another heading."""
    rows = tables["sections"].to_pylist()
    first = next(row for row in rows if row["doc_id"] == doc_id)
    first["heading"] = heading
    return {**tables, "sections": pa.Table.from_pylist(rows, schema=tables["sections"].schema)}


def test_a_notice_page_is_the_same_bytes_when_only_another_notice_and_the_release_change(bundled, tmp_path):
    tables, descriptor = bundled
    first = as_notices(tables, ["a", "b"])
    # The second release: notice b amended, a new notice c listed first, another release id.
    second = retitled(as_notices(tables, ["c", "a", "b"]), "b", "一项改过的任务")
    pages = []
    for number, (release_tables, release_id) in enumerate(((first, "20260101T000000Z-aaaaaaaa"),
                                                            (second, "20260202T000000Z-bbbbbbbb"))):
        staging = tmp_path / str(number)
        staging.mkdir()
        write_release_site(staging, release_tables, {**descriptor, "version": str(number) * 64}, [], release_id,
                           DEFAULT_BASE_URL, "20251201T000000Z-cccccccc" if number else None)
        pages.append({name: (staging / "notices" / f"{name}.html").read_bytes() for name in ("a", "b")})
        pages[-1].update({name + ".md": (staging / "quality" / f"{name}.md").read_bytes() for name in ("a", "b")})
    assert pages[0]["a"] == pages[1]["a"]
    assert pages[0]["a.md"] == pages[1]["a.md"] and pages[0]["b.md"] == pages[1]["b.md"]  # same rows counted
    assert pages[0]["b"] != pages[1]["b"] and "一项改过的任务" in pages[1]["b"].decode("utf-8")
    assert b"aaaaaaaa" not in pages[0]["a"] and b"bbbbbbbb" not in pages[1]["a"]


def test_place_receives_every_notice_page_with_its_key_and_pages_are_rendered_only_when_produced(
        bundled, tmp_path, monkeypatch):
    tables, descriptor = bundled
    tables = as_notices(tables, ["a", "b", "c"])
    rendered = []
    original = build.notice_page

    def counting(document_row, *args):
        rendered.append(document_row["doc_id"])
        return original(document_row, *args)

    monkeypatch.setattr(build, "notice_page", counting)
    direct = tmp_path / "direct"
    direct.mkdir()
    write_release_site(direct, tables, descriptor, [], "r1", DEFAULT_BASE_URL)
    assert rendered == ["a", "b", "c"]

    rendered.clear()
    placed: list[tuple[str, str]] = []
    staging = tmp_path / "placed"
    staging.mkdir()

    def place(relative, key, produce):
        placed.append((relative, key))
        if relative == "notices/b.html":  # a, as if reused from the previous release: not rendered
            produce(staging / relative)

    written = write_release_site(staging, tables, descriptor, [], "r2", DEFAULT_BASE_URL, place=place,
                                 doc_keys={"a": "key-a", "b": "key-b"})
    # c has no doc key: written directly, not placed.
    assert [relative for relative, _ in placed if relative.startswith(("notices/", "quality/"))] == \
        ["notices/a.html", "quality/a.md", "notices/b.html", "quality/b.md"]
    assert not (staging / "quality" / "a.md").exists() and (staging / "quality" / "c.md").is_file()
    assert rendered == ["b", "c"]
    assert not (staging / "notices" / "a.html").exists()
    for name in ("b", "c"):
        assert (staging / "notices" / f"{name}.html").read_bytes() == (direct / "notices" / f"{name}.html").read_bytes()
    assert {staging / "notices" / f"{name}.html" for name in "abc"} <= set(written)

    keys = dict(placed)
    units_digest = page_key.unit_names_digest(tables["units"])
    assert keys["notices/a.html"] == page_key.page_key("key-a", DEFAULT_BASE_URL, units_digest)
    assert len({keys["notices/a.html"], keys["notices/b.html"],
                page_key.page_key("key-a", "https://other.example/", units_digest)}) == 3
    # The registry names a page shows are in its key.
    renamed = tables["units"].to_pylist()
    renamed[0]["name"] = renamed[0]["name"] + "（新）"
    assert page_key.unit_names_digest(pa.Table.from_pylist(renamed, schema=tables["units"].schema)) != units_digest


def test_site_code_version_covers_the_site_code_assets_renderers_and_schemas(tmp_path, monkeypatch):
    files = ["pipeline/site/chart.py", "pipeline/site/assets/site.css", "pipeline/render/quality.py",
             "schemas/tasks.schema.json"]
    for relative in files:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x", encoding="utf-8")
    monkeypatch.setattr(page_key, "ROOT", tmp_path)
    versions = {page_key.site_code_version.__wrapped__()}
    for relative in files:
        (tmp_path / relative).write_text("y", encoding="utf-8")
        versions.add(page_key.site_code_version.__wrapped__())
    assert len(versions) == len(files) + 1


def test_notices_whose_rows_are_interleaved_get_the_same_pages(bundled, tmp_path):
    tables, descriptor = bundled
    together = as_notices(tables, ["a", "b"])
    interleaved = {}
    for name, table in together.items():
        if "doc_id" in table.column_names:
            half = table.num_rows // 2
            order = [index for pair in zip(range(half), range(half, 2 * half)) for index in pair]
            table = table.take(pa.array(order, type=pa.int64()))  # typed: a table may be empty
        interleaved[name] = table
    pages = []
    for number, release_tables in enumerate((together, interleaved)):
        staging = tmp_path / str(number)
        staging.mkdir()
        write_release_site(staging, release_tables, descriptor, [], "r", DEFAULT_BASE_URL)
        pages.append([(staging / "notices" / f"{name}.html").read_bytes() for name in ("a", "b")])
    assert pages[0] == pages[1]


def test_unit_scripts_list_each_task_of_a_unit_once_with_its_roles(release):
    database = duckdb.connect(str(release / "plan.duckdb"), read_only=True)
    page = (release / "index.html").read_text(encoding="utf-8")
    index = int(re.search(r'<option value="(\d+)" data-name="市纪委">', page).group(1))
    script = (release / "units" / f"{index}.js").read_text(encoding="utf-8")
    entries = json.loads(re.fullmatch(rf"plandataUnit\({index},(.*)\);\n", script, re.S).group(1))
    expected = database.execute(
        "SELECT a.task_id, t.label, t.title, list(DISTINCT a.role ORDER BY a.role) FROM assignments a "
        "JOIN tasks t USING (doc_id, task_id) JOIN units u ON u.unit_id = a.unit_id WHERE u.name = '市纪委' "
        "GROUP BY ALL ORDER BY any_value(t.seq), a.task_id").fetchall()
    assert [(task_id, label, title, sorted(roles)) for _, task_id, label, title, roles in entries] == \
        [(task_id, label, title, roles) for task_id, label, title, roles in expected]
    assert {entry[0] for entry in entries} == {0}


def test_units_are_counted_per_task_and_their_tasks_listed_in_notice_then_seq_order():
    from pipeline.render.arrow_rows import as_arrow
    from pipeline.site.units_index import busiest, collect_units, unit_script_entries, unit_tasks

    def assignment(doc_id, task_id, role, position, unit_id, label):
        return {"doc_id": doc_id, "task_id": task_id, "role": role, "position": position, "unit_id": unit_id,
                "unit_label": label}

    tables = as_arrow({
        "documents": [{"doc_id": "z"}, {"doc_id": "a"}],
        "tasks": [{"doc_id": "z", "task_id": "9", "seq": 1, "label": "（九）", "title": "九"},
                  {"doc_id": "z", "task_id": "10", "seq": 2, "label": "（十）", "title": "十"},
                  {"doc_id": "a", "task_id": "1", "seq": 1, "label": "一", "title": "甲"}],
        "assignments": [assignment("z", "10", "lead", 1, "u1", "市财政局"),
                        assignment("z", "10", "lead", 2, "u1", "财政局"),  # printed twice in one role
                        assignment("z", "10", "co", 3, "u1", "市财政局"),
                        assignment("z", "9", "co", 1, "u1", "市财政局"),
                        assignment("a", "1", "lead", 1, "u1", "市财政局"),
                        assignment("a", "1", "co", 2, None, "某办")],
        "units": [{"unit_id": "u1", "name": "财政局", "full_name": "台州市财政局"}]})
    pairs = unit_tasks(tables["assignments"])
    units = collect_units(tables, pairs)
    assert [(u.key, u.name, u.unit_id, u.full_name, u.tasks, u.notices, u.count("lead"), u.count("co"))
            for u in units] == [("label:某办", "某办", None, None, 1, 1, 0, 1),
                                ("u1", "财政局", "u1", "台州市财政局", 3, 2, 2, 2)]
    assert [u.key for u in busiest(units)] == ["u1", "label:某办"]
    entries = dict(unit_script_entries(units, pairs, [{"doc_id": "z"}, {"doc_id": "a"}], tables["tasks"]))
    assert entries == {0: [(1, "1", "一", "甲", ["co"])],
                       1: [(0, "9", "（九）", "九", ["co"]), (0, "10", "（十）", "十", ["lead", "co"]),
                           (1, "1", "一", "甲", ["lead"])]}
