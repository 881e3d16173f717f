"""pipeline/publish/store.py loads self-referencing tables parents first, whatever the incoming order, and
still refuses a row whose parent is missing, a cycle, and a key given twice."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipeline.publish import store
from pipeline.extraction.extract import extract
from pipeline.sources.discovery import read_sources

ROOT = Path(__file__).resolve().parent.parent


@cache
def bundled() -> dict[str, pa.Table]:
    return extract(*read_sources(ROOT / "sources"))


def _rows(path: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as db:
        return db.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def _sections_with(extra: list[dict]) -> dict[str, pa.Table]:
    tables = dict(bundled())
    sections = tables["sections"]
    tables["sections"] = pa.concat_tables([sections, pa.Table.from_pylist(extra, schema=sections.schema)])
    return tables


def _section(section_id: str, parent_id: str | None) -> dict:
    row = bundled()["sections"].slice(0, 1).to_pylist()[0]
    return {**row, "section_id": section_id, "parent_id": parent_id, "level": 2}


def test_children_before_parents_load_and_keep_every_row(tmp_path):
    tables = bundled()
    # Typed indices: an empty table (attachments, for the bundled notice) takes an empty int64 array.
    reversed_tables = {name: table.take(pa.array(range(table.num_rows - 1, -1, -1), type=pa.int64()))
                       for name, table in tables.items()}
    # The bundled notice has three generations of sections and units below other units.
    assert len(set(tables["sections"].column("level").to_pylist())) == 3
    assert tables["units"].column("parent_id").null_count < tables["units"].num_rows
    store.write_database(tmp_path / "in-order.duckdb", tables)
    store.write_database(tmp_path / "reversed.duckdb", reversed_tables)
    for name in ("sections", "units"):
        loaded = _rows(tmp_path / "reversed.duckdb", name)
        assert len(loaded) == tables[name].num_rows
        assert loaded == _rows(tmp_path / "in-order.duckdb", name)


def test_a_row_whose_parent_is_missing_is_named(tmp_path):
    doc_id = bundled()["sections"].column("doc_id")[0].as_py()
    with pytest.raises(ValueError, match=rf"sections: rows reference parents that do not exist: "
                                         rf"\[\('{doc_id}', '99'\)\]"):
        store.write_database(tmp_path / "plan.duckdb", _sections_with([_section("99.1", "99")]))


def test_a_cycle_has_no_generation_and_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"sections: rows reference parents that do not exist: "
                                         r"\[\('[^']+', '98'\), \('[^']+', '97'\)\]"):
        store.write_database(tmp_path / "plan.duckdb", _sections_with([_section("97", "98"), _section("98", "97")]))


def test_a_key_given_twice_is_refused(tmp_path):
    first = bundled()["sections"].slice(0, 1).to_pylist()[0]
    with pytest.raises(duckdb.ConstraintException):
        store.write_database(tmp_path / "plan.duckdb", _sections_with([first]))
    # The second copy names itself as parent: reached from the first copy, it would be its own
    # child for ever if the generations were counted over duplicated keys.
    with pytest.raises(duckdb.ConstraintException):
        store.write_database(tmp_path / "plan.duckdb", _sections_with([{**first, "parent_id": first["section_id"]}]))


def test_large_data_gets_large_blocks_and_the_same_rows(tmp_path, monkeypatch):
    tables = bundled()
    store.write_database(tmp_path / "small.duckdb", tables)
    monkeypatch.setattr(store, "SMALL_DATA_BYTES", 0)
    store.write_database(tmp_path / "large.duckdb", tables)
    sizes = {}
    for name in ("small", "large"):
        with duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True) as db:
            sizes[name] = db.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    assert sizes == {"small": 16384, "large": 262144}
    assert _rows(tmp_path / "large.duckdb", "assignments") == _rows(tmp_path / "small.duckdb", "assignments")
