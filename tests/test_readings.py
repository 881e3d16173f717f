"""The README's readings table is generated from pipeline/core/vocabulary.csv, the table the parser reads."""
from __future__ import annotations

from pathlib import Path

from pipeline.core import vocabulary
from pipeline.core.clauses import read_clause
from pipeline.render.readings import END, START, readings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readings_table_is_current():
    section = README.split(START)[1].split(END)[0]
    assert section.strip() == readings().strip(), "run: python -m pipeline.render.readings README.md"


def test_every_verb_and_label_of_the_vocabulary_is_read():
    for entry in vocabulary.of_kind("verb"):
        groups, _, _ = read_clause(f"甲局{entry.printed}")
        assert [(group.role, group.role_label, group.units) for group in groups] == [(entry.role, entry.printed, ("甲局",))]
    for entry in vocabulary.of_kind("label"):
        groups, _, _ = read_clause(f"{entry.printed}：甲局")
        assert [(group.role, group.units) for group in groups] == [(entry.role, ("甲局",))]
