"""The ids of attachments and tables (A1.3.2, A1.T1.6, A3.T1.C2.1) downstream: the DuckDB views, the change
log's matching and the notice page's anchors. Each used to assume numeric ids."""
from __future__ import annotations

import duckdb
import pytest

from pipeline.render.arrow_rows import as_arrow
from pipeline.store import view_statements
from pipeline.core.notice import parse_notice

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


@pytest.fixture(scope="module")
def tables(registry):
    return parse_notice(NOTICE.encode("utf-8"), "n.txt", registry).tables


@pytest.fixture(scope="module")
def database(tables):
    # The views are what is tested: plain tables of the published columns, no registry (units unresolved).
    rows = {name: tables.get(name, []) for name in ("sections", "tasks", "assignments", "citations")}
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
    assert rows == {"1": "一、", "2": "二、", "10": "十、", "A1.1.1": "一、（一）", "A1.3": "三、"}


def test_unit_workload_lists_body_chapters_in_numeric_order_then_the_attachments(database):
    chapters = dict(database.execute("SELECT name, chapters FROM unit_workload WHERE name IN ('区建设管理委', '区水务局')"
                                     ).fetchall())
    assert chapters["区建设管理委"] == "1,10,A1.1,A1.3"
    assert chapters["区水务局"] == "2,A1.1"
