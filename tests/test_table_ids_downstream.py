"""The ids of attachments and tables (A1.3.2, A1.T1.6, A3.T1.C2.1) downstream: the DuckDB views, the change
log's matching and the notice page's anchors. Each used to assume numeric ids."""
from __future__ import annotations

import re

import duckdb
import pytest

from pipeline.render.arrow_rows import as_arrow
from pipeline.publish.store import view_statements
from pipeline.core.document import Cell, Document, Table
from pipeline.core.notice import parse_notice_document
from pipeline.core.readers.text import text_paragraphs

NOTICE = """某区人民政府办公室关于印发《某区实施意见》的通知

各镇人民政府、街道办事处：

现印发给你们。

某区人民政府办公室

2025年9月18日

某区实施意见

一、总体目标

构建处置体系。（责任单位：区建设管理委）

二、保障措施

加强组织领导。（责任单位：区水务局）

十、附则

做好宣传。（责任单位：区建设管理委）

附件：1.某区管理细则

附件1

某区管理细则

一、概念定义

（一）建筑垃圾

指各类建筑垃圾。（牵头单位：区建设管理委；配合单位：区水务局）

三、保障

加强保障。（牵头单位：区建设管理委）
"""


def cells(values: tuple[str, ...], line: int) -> tuple[Cell, ...]:
    return tuple(Cell(text, line, line) for text in values)


def category(text: str, line: int, width: int) -> tuple[Cell, ...]:
    return (Cell(text, line, line), *(Cell(text, line, line, (0, 0)) for _ in range(width - 1)))


@pytest.fixture(scope="module")
def tables(registry):
    rows = (cells(("序号", "工作任务", "牵头单位"), 100), cells(("一", "源头减量", ""), 102),
            cells(("（一）", "推动源头减量。", "区水务局"), 104), cells(("二", "执法打击", ""), 106),
            cells(("（一）", "严查非法排放。", "区建设管理委"), 108))
    blocks = (*text_paragraphs(NOTICE), Table(rows, 100, 108))
    return parse_notice_document(Document("n.txt", "text", "utf-8", NOTICE, blocks), b"x", registry).tables


@pytest.fixture(scope="module")
def database(tables):
    # The views are what is tested: plain tables of the published columns, no registry (units unresolved).
    rows = {name: tables.get(name, []) for name in ("documents", "sections", "tasks", "assignments", "citations")}
    rows["assignments"] = [{**row, "unit_id": None} for row in rows["assignments"]]
    rows["units"] = []
    connection = duckdb.connect()
    for name, table in as_arrow(rows).items():
        connection.register(f"incoming_{name}", table)
        connection.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming_{name}")
    for statement in view_statements():
        connection.execute(statement)
    yield connection
    connection.close()


def test_task_breakdown_numbers_attachment_tasks(database):
    rows = dict(database.execute("SELECT task_id, numbering FROM task_breakdown").fetchall())
    assert rows == {"1": "一、", "2": "二、", "10": "十、", "A1.1.1": "一、（一）", "A1.3": "三、",
                    "A1.T1.C1.1": "一（一）", "A1.T1.C2.1": "二（一）"}


def test_unit_workload_lists_body_chapters_in_numeric_order_then_the_attachments(database):
    chapters = dict(database.execute("SELECT name, chapters FROM unit_workload WHERE name IN ('区建设管理委', '区水务局')"
                                     ).fetchall())
    assert chapters["区建设管理委"] == "1,10,A1.1,A1.3,A1.T1"
    assert chapters["区水务局"] == "2,A1.1,A1.T1"


def _table_notice(registry, rows: list[tuple[str, str, str]]) -> dict[str, list[dict]]:
    grid = [cells(("序号", "工作任务", "牵头单位"), 100)]
    grid += [cells(row, 102 + 2 * at) for at, row in enumerate(rows)]
    blocks = (*text_paragraphs(NOTICE), Table(tuple(grid), 100, 102 + 2 * len(rows)))
    return parse_notice_document(Document("n.txt", "text", "utf-8", NOTICE, blocks), b"x", registry).tables


def test_change_log_pairs_a_renumbered_table_row_and_keeps_its_units(registry):
    from pipeline.changes import compute_changes
    old = _table_notice(registry, [("1", "推动源头减量。", "区水务局"), ("2", "严查非法排放行为。", "区建设管理委")])
    new = _table_notice(registry, [("1", "推动源头减量。", "区水务局"), ("2", "新增的一项任务内容。", "区财政局"),
                                   ("3", "严查非法排放行为。", "区建设管理委")])
    changes = [(r["entity"], r["change"], r["old_id"], r["new_id"]) for r in compute_changes(old, new)]
    assert ("task", "renumbered", "A1.T1.2", "A1.T1.3") in changes
    assert ("task", "added", "", "A1.T1.2") in changes
    assert not any(entity == "assignment" and change == "removed" for entity, change, _, _ in changes)


def test_change_log_never_pairs_a_category_with_an_attachment():
    from pipeline.changes import compute_changes

    def release(section: dict) -> dict[str, list[dict]]:
        return {"documents": [{"doc_id": "d", "title": "t"}], "tasks": [], "assignments": [],
                "sections": [{"doc_id": "d", "parent_id": None, "body": "", "line_start": 3, "level": 0,
                              "heading": "知识产权保护方面", **section}]}
    old = release({"section_id": "A1.T1.C1", "kind": "category", "label": "一、"})
    new = release({"section_id": "A2", "kind": "attachment", "label": "一、"})
    changes = [(r["change"], r["old_id"], r["new_id"]) for r in compute_changes(old, new) if r["entity"] == "section"]
    assert changes == [("removed", "A1.T1.C1", ""), ("added", "", "A2")]


def test_notice_page_anchors_every_attachment_table_and_row_and_each_link_resolves(tables):
    from pipeline.site.notice_page import notice_page
    page = notice_page(tables["documents"][0], tables, {}, {})
    anchors = set(re.findall(r'id="([^"]+)"', page))
    assert {"s-A1", "s-A1.T1", "s-A1.T1.C2", "s-A1.1.1", "t-A1.T1.C2.1", "t-A1.1.1", "t-10"} <= anchors
    links = set(re.findall(r'href="#([^"]+)"', page))
    assert "s-A1" in links and "t-A1.T1.C2.1" in links
    assert links <= anchors
    # The table row's task sits inside its category, inside its table, inside its attachment.
    at = {anchor: page.index(f'id="{anchor}"') for anchor in ("s-A1", "s-A1.T1", "s-A1.T1.C2", "t-A1.T1.C2.1")}
    assert at["s-A1"] < at["s-A1.T1"] < at["s-A1.T1.C2"] < at["t-A1.T1.C2.1"]
