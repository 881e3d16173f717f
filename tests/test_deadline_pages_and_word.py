"""Every deadline form of issue 15 §4 in the deadline column of a web page's table and of a Word table,
read end to end through the readers (the Document-level test is tests/test_deadline_rules.py). The
expected dates are the hand-typed TABLE_FORMS there."""
from __future__ import annotations

import html
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_deadline_rules import TABLE_FORMS  # noqa: E402

from pipeline.core.notice import parse_notice  # noqa: E402

TITLE = "2024年某区重点任务分工方案"
HEAD = [TITLE, "各街镇：", "现印发给你们。", "某区人民政府", "2024年1月5日", "一、主要任务", "按照分工表推进各项任务。"]
GRID = [["序号", "重点任务", "牵头单位", "完成时限"]] + [
    [str(n), f"任务{n}", "区发改委", printed] for n, (printed, _, _) in enumerate(TABLE_FORMS, start=1)]
EXPECTED = [(printed if kind or due else None, due, kind) for printed, due, kind in TABLE_FORMS]


def _read(tables):
    return [(row["deadline"], row["due_date"], row["deadline_kind"]) for row in tables["tasks"]]


def test_every_deadline_form_in_a_web_pages_table(registry):
    rows = "".join("<tr>" + "".join(f"<td><p>{html.escape(cell)}</p></td>" for cell in row) + "</tr>" for row in GRID)
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title></head><body><div class='article'>"
            + "".join(f"<p>{html.escape(p)}</p>" for p in HEAD)
            + f"<table border='1'>{rows}</table></div></body></html>")
    tables = parse_notice(page.encode("utf-8"), "plan.html", registry).tables
    assert _read(tables) == EXPECTED
    assert [row["task_id"] for row in tables["tasks"]][:2] == ["A0.T1.1", "A0.T1.2"]


def test_every_deadline_form_in_a_word_table(registry):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for paragraph in HEAD:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=len(GRID), cols=len(GRID[0]))
    for r, row in enumerate(GRID):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    tables = parse_notice(buffer.getvalue(), "plan.docx", registry).tables
    assert _read(tables) == EXPECTED
