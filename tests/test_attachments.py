"""Attachments (附件), the attachment list, level-4 task ids and the no_tasks warning, from hand-typed notices."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.core.document import Cell, Document, Paragraph, Table
from pipeline.core.notice import parse_notice, parse_notice_document
from pipeline.core.readers.text import text_paragraphs

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def field(table: str, name: str) -> dict:
    spec = json.loads((SCHEMAS / f"{table}.schema.json").read_text(encoding="utf-8"))
    return next(f for f in spec["fields"] if f["name"] == name)


def parse(text: str, registry) -> dict[str, list[dict]]:
    return parse_notice(text.encode("utf-8"), "n.txt", registry).tables


COVERING = """某区人民政府办公室关于印发《某区实施意见》的通知

各镇人民政府、街道办事处：

《某区实施意见》已经区政府同意，现印发给你们。

某区人民政府办公室

2025年9月18日

某区实施意见

一、总体目标

构建处置体系。（责任单位：区建设管理委）

二、保障措施

加强组织领导。

附件：1.某区管理细则

2.某区职责清单

附件1

某区管理细则

一、概念定义

（一）建筑垃圾

指各类建筑垃圾。（牵头单位：区绿化市容局；配合单位：区水务局）

附件2

某区职责清单

一、区数据局

做好技术支撑。
"""


def test_attachment_list_is_a_table_of_its_own_not_outline_items(registry):
    tables = parse(COVERING, registry)
    assert [(row["listed_in"], row["ordinal"], row["title"], row["line"]) for row in tables["attachments"]] == [
        ("A0", 1, "某区管理细则", 21), ("A0", 2, "某区职责清单", 23)]
    assert not any("某区管理细则" in (row["body"] or "") + row["heading"]
                   for row in tables["sections"] if row["level"] > 0)
    assert not any(row["kind"] == "numbering_gap" for row in tables["findings"])


def test_attachment_outline_takes_the_attachment_prefix(registry):
    tables = parse(COVERING, registry)
    sections = {row["section_id"]: row for row in tables["sections"]}
    assert {"1", "2", "A1", "A1.1", "A1.1.1", "A2", "A2.1"} <= set(sections)
    assert (sections["A1"]["label"], sections["A1"]["kind"], sections["A1"]["level"]) == ("附件1", "attachment", 0)
    assert sections["A1"]["heading"] == "某区管理细则"
    assert sections["A1.1"]["parent_id"] == "A1" and sections["A1.1.1"]["parent_id"] == "A1.1"
    assert (sections["A2.1"]["heading"], sections["A2.1"]["level"]) == ("区数据局", 1)
    tasks = {row["task_id"]: row for row in tables["tasks"]}
    assert set(tasks) == {"1", "A1.1.1"}
    units = [(row["task_id"], row["role"], row["unit_label"]) for row in tables["assignments"]]
    assert ("A1.1.1", "lead", "区绿化市容局") in units and ("A1.1.1", "co", "区水务局") in units
    # 附件2's duty list (一、区数据局 / 做好…) gives no task and no warning.
    assert not any(row["kind"] == "no_tasks" for row in tables["findings"])
    # The header is the notice's own: the attachments do not reach it.
    document = tables["documents"][0]
    assert (document["title"], document["issuer"]) == ("某区实施意见", "某区人民政府办公室")


PLAN_AS_ATTACHMENT = """某区人民政府关于印发《2026年某区整治方案》的通知

各镇人民政府：

现将《2026年某区整治方案》印发给你们。

附件：2026年某区整治方案

某区人民政府

2026年2月12日

附件

2026年某区整治方案

一、目标任务

完成整治。

二、工作要求

区规划资源局牵头开展考核，各街镇负责落实。

附件：某区整治任务表

附件

某区整治任务表
"""


def test_a_plan_printed_as_the_notices_attachment_and_its_own_attachment(registry):
    text = PLAN_AS_ATTACHMENT
    tables = parse(text, registry)
    sections = {row["section_id"]: row for row in tables["sections"]}
    assert {"A1", "A1.1", "A1.2", "A1.A1"} <= set(sections)
    assert sections["A1.A1"]["parent_id"] == "A1"
    assert sections["A1.A1"]["heading"] == "某区整治任务表"
    assert [(row["listed_in"], row["ordinal"], row["title"]) for row in tables["attachments"]] == [
        ("A0", 1, "2026年某区整治方案"), ("A1", 1, "某区整治任务表")]
    assert tables["documents"][0]["title"] == "2026年某区整治方案"
    # Role verbs in running text (牵头开展, 负责落实) are no trigger.
    assert tables["tasks"] == [] and not any(row["kind"] == "no_tasks" for row in tables["findings"])


def test_a_table_printed_right_after_a_one_title_list_is_that_attachment(registry):
    paragraphs = text_paragraphs(COVERING.split("附件：")[0] + "附件：重点任务分解表\n")
    grid = [("序号", "重点任务", "责任单位"), ("1", "任务甲。", "区水务局")]
    line = 100
    rows = []
    for printed in grid:
        rows.append(tuple(Cell(text, line + i, line + i) for i, text in enumerate(printed)))
        line += 10
    document = Document("n.txt", "text", "utf-8", "", (*paragraphs, Table(tuple(rows), 100, 120)))
    tables = parse_notice_document(document, b"x", registry).tables
    assert [row["task_id"] for row in tables["tasks"]] == ["1", "A1.T1.1"]
    sections = {row["section_id"]: row for row in tables["sections"]}
    assert (sections["A1"]["heading"], sections["A1.T1"]["parent_id"]) == ("重点任务分解表", "A1")


LEVEL_FOUR = """关于某项工作的实施方案

一、总体要求

二、重点任务

（一）第一节

（二）第二节

（三）第三节

1.第一项。（牵头单位：区建设管理委）

2.第二项

（1）第一子项。（牵头单位：区水务局）

（2）第二子项。（牵头单位：区交通委；配合单位：区财政局）
"""


def test_a_clause_on_a_level_four_sub_item_gives_a_valid_task_id(registry):
    tables = parse(LEVEL_FOUR, registry)
    ids = [row["task_id"] for row in tables["tasks"]]
    # （1）'s clause is the first since item 2. started: it goes to the item; （2） then is a node of its own.
    assert ids == ["2.3.1", "2.3.2", "2.3.2.2"]
    task_pattern = re.compile(field("tasks", "task_id")["constraints"]["pattern"])
    assert all(task_pattern.match(task_id) for task_id in ids)


@pytest.mark.parametrize(("table", "value", "valid"), [
    ("sections", "3.6.2", True), ("sections", "2.3.2.2", True), ("sections", "A1", True),
    ("sections", "A1.A1", True), ("sections", "A1.3.2", True), ("sections", "A0.T1", True),
    ("sections", "A3.T1.C2", True), ("sections", "A1.T1.6", False), ("sections", "T1", False),
    ("sections", "A1.C1", False), ("sections", "1.2.3.4.5", False),
    ("tasks", "2.3.2.2", True), ("tasks", "3.1-2", True), ("tasks", "A1.T1.6", True), ("tasks", "A3.T1.C2.1", True),
    ("tasks", "A3.T1.C1.2-3", True), ("tasks", "A1.3.2", True), ("tasks", "A1.A1.2.1", True), ("tasks", "A1", True),
    ("tasks", "T1.1", False), ("tasks", "A1.T1.C1.1.1", False), ("tasks", "A1.x", False),
    ("citations", "0-c1", True), ("citations", "2.3.2.2-c1", True), ("citations", "A1.3-c2", True),
    ("citations", "A1.T1.6-c1", True), ("citations", "A1.T1.C2-c1", True), ("citations", "A1-c1", True),
    ("citations", "A1.T1.6", False), ("citations", "X1-c1", False),
])
def test_id_patterns(table, value, valid):
    name = {"sections": "section_id", "tasks": "task_id", "citations": "citation_id"}[table]
    assert bool(re.match(field(table, name)["constraints"]["pattern"], value)) is valid


def test_level_enum_admits_parts_and_kind_says_which():
    assert field("sections", "level")["constraints"]["enum"] == [0, 1, 2, 3, 4]
    assert set(field("sections", "kind")["constraints"]["enum"]) == {
        "chapter", "section", "item", "sub-item", "attachment", "table", "category"}


NO_TASKS_HEAD = "某区关于某工作的实施方案\n\n"


@pytest.mark.parametrize(("text", "line", "value"), [
    # A role label before the first heading: printed, but not read as a task.
    (NO_TASKS_HEAD + "牵头单位：区水务局\n\n一、工作目标\n\n完成任务。\n", 3, "牵头单位"),
    # A bracketed role clause in the preamble.
    (NO_TASKS_HEAD + "做好工作。（区水务局牵头，区财政局配合）\n\n一、工作目标\n\n完成任务。\n", 3, None),
])
def test_no_tasks_names_the_first_role_line(text, line, value, registry):
    findings = [row for row in parse(text, registry)["findings"] if row["kind"] == "no_tasks"]
    assert [(row["line"], row["severity"]) for row in findings] == [(line, "warning")]
    if value:
        assert findings[0]["value"] == value


def test_no_tasks_for_a_table_with_a_role_column_and_no_unit(registry):
    paragraphs = text_paragraphs(NO_TASKS_HEAD + "一、工作目标\n\n完成任务。\n")
    rows = (tuple(Cell(text, 50 + i, 50 + i) for i, text in enumerate(("序号", "重点任务", "牵头单位"))),
            tuple(Cell(text, 60 + i, 60 + i) for i, text in enumerate(("1", "任务甲。", "——"))))
    document = Document("n.txt", "text", "utf-8", "", (*paragraphs, Table(rows, 50, 62)))
    findings = parse_notice_document(document, b"x", registry).tables["findings"]
    assert [(row["kind"], row["line"]) for row in findings if row["kind"] == "no_tasks"] == [("no_tasks", 50)]


@pytest.mark.parametrize("text", [
    NO_TASKS_HEAD + "一、工作目标\n\n区发改委负责统筹，区财政局牵头保障资金。\n",  # role verbs in running text
    NO_TASKS_HEAD + "一、职责分工\n\n区发改委：负责项目审批。\n\n区财政局：负责资金保障。\n",  # a duty list
])
def test_no_tasks_is_not_triggered_by_role_verbs_or_duty_lists(text, registry):
    tables = parse(text, registry)
    assert tables["tasks"] == []
    assert [row for row in tables["findings"] if row["kind"] == "no_tasks"] == []


def test_no_tasks_is_not_given_when_a_task_was_read(registry):
    text = NO_TASKS_HEAD + "牵头单位：区水务局\n\n一、工作目标\n\n完成任务。（责任单位：区水务局）\n"
    tables = parse(text, registry)
    assert len(tables["tasks"]) == 1
    assert [row for row in tables["findings"] if row["kind"] == "no_tasks"] == []


def test_quality_report_lists_notices_with_0_tasks_and_their_no_tasks_line(registry):
    from pipeline.render.quality import quality_report
    empty = parse(NO_TASKS_HEAD + "牵头单位：区水务局\n\n一、工作目标\n\n完成任务。\n", registry)
    read = parse(NO_TASKS_HEAD + "一、工作目标\n\n完成任务。（责任单位：区水务局）\n", registry)
    tables = {name: [{**row, "doc_id": doc_id} for doc_id, rows in (("empty", empty), ("read", read))
                     for row in rows[name]] for name in empty}
    report = quality_report(tables)
    section = report.split("## Notices with 0 tasks", 1)[1].split("\n## ", 1)[0]
    assert "| empty | n.txt | 3 |" in section and "| read |" not in section


def test_an_attachment_number_printed_twice_is_refused_naming_the_line(registry):
    from pipeline.errors import PlanDataError
    text = COVERING.replace("附件2\n", "附件1\n")
    with pytest.raises(PlanDataError) as refused:
        parse(text, registry)
    assert refused.value.file == "n.txt"
    assert refused.value.line == text.split("\n").index("附件1", text.split("\n").index("附件1") + 1) + 1
    assert "duplicate attachment number 附件1" in refused.value.message


def test_numbered_attachment_headings_with_their_titles_and_a_numbered_list(registry):
    text = (COVERING.replace("附件：1.某区管理细则\n\n2.某区职责清单\n", "附件1：某区管理细则\n\n附件2：某区职责清单\n")
            .replace("附件1\n\n某区管理细则\n", "附件1：某区管理细则\n")
            .replace("附件2\n\n某区职责清单\n", "附件2：某区职责清单\n"))
    tables = parse(text, registry)
    assert [(row["ordinal"], row["title"]) for row in tables["attachments"]] == [(1, "某区管理细则"), (2, "某区职责清单")]
    sections = {row["section_id"]: row for row in tables["sections"]}
    assert (sections["A1"]["label"], sections["A1"]["heading"]) == ("附件1", "某区管理细则")
    assert sections["A2.1"]["parent_id"] == "A2"
    assert {row["task_id"] for row in tables["tasks"]} == {"1", "A1.1.1"}


def test_build_summary_lists_every_notice_with_0_tasks(tmp_path, monkeypatch, capsys):
    import duckdb

    import pipeline.orchestration.run
    from pipeline.cli import main
    from pipeline.orchestration.run import BuildOutcome
    release = tmp_path / "release"
    release.mkdir()
    with duckdb.connect(str(release / "plan.duckdb")) as db:
        db.execute("CREATE TABLE documents AS SELECT * FROM (VALUES ('a', 'a.txt'), ('b', 'b.html'), ('c', 'c.txt')) "
                   "v(doc_id, source_file)")
        db.execute("CREATE TABLE tasks AS SELECT * FROM (VALUES ('c', '1')) v(doc_id, task_id)")
        db.execute("CREATE TABLE findings AS SELECT * FROM (VALUES ('b', 'no_tasks', 12), ('c', 'no_tasks', 3)) "
                   "v(doc_id, kind, line)")
    monkeypatch.setattr(pipeline.orchestration.run, "run_build",
                        lambda *args, **kwargs: BuildOutcome("0002-x", release, False, {"rows": {}}))
    assert main(["build", "--sources", str(tmp_path), "--outputs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Notices with 0 tasks: 2\n  a (a.txt)\n  b (b.html): no_tasks warning at line 12\n" in out
    assert "c (c.txt)" not in out
