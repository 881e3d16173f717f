"""Issue 15's acceptance: the six files of ../shared/corpus/tables/ build into one release with the six corpus
notices and the bundled one. Expected values are the issue's Acceptance table and the rows read by hand in
../shared/corpus/README.md ("Hand counts"); units are typed as printed there (a line break inside a name,
区土方工作⏎专班, is the page's wrap: the unit is 区土方工作专班).
"""
from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import copy_sources, shared_dir
from pipeline.orchestration.run import run_build

pytestmark = pytest.mark.corpus

D08, D09, D10 = "08-gov-innovation-reforms-2018", "09-gov-tibet-classes-1996", "10-shanghai-jiading-sponge-city-2024"
D11, D12 = "11-shanghai-transport-refined-mgmt-2024-2026", "12-shanghai-qingpu-construction-waste-2025"
D13 = "13-shanghai-jiading-illegal-land-use-2026"

TASKS = {D08: 17, D09: 0, D10: 40, D11: 35, D12: 26, D13: 0,
         "02-gov-zero-waste-city-pilot-2018": 39, "03-gov-bonded-zones-2019": 21,
         "04-gov-farm-machinery-2018": 18, "05-gov-employment-2018": 15,
         "06-gov-local-incentives-2018": 30, "07-gov-consumption-poverty-2018": 17,
         "taizhou-anticorruption-2008-2012": 50}

# (doc_id, task_id) -> {role: units as printed}, from the README's hand-read rows.
README_ROWS = {
    (D08, "A1.T1.1"): {"guide": ["最高人民法院", "最高人民检察院", "国家知识产权局"]},
    (D08, "A1.T1.6"): {"guide": ["科技部", "国家发展改革委", "财政部", "国家知识产权局", "教育部", "国务院国资委",
                                 "中科院", "司法部"]},
    (D08, "A1.T1.23"): {"guide": ["国家发展改革委", "国务院国资委", "审计署"]},
    (D10, "A1.T1.1"): {"responsible": ["区建设管理委", "区发展改革委", "区财政局", "区规划资源局", "区水务局", "区交通委",
                                       "区绿化市容局", "相关部门", "各街镇"]},
    (D10, "A1.T1.2"): {"responsible": ["区建设管理委"]},
    (D10, "A1.T1.12"): {"responsible": ["区水务局", "区建设管理委", "区绿化市容局", "区交通委", "区住房保障房屋管理局",
                                        "各街镇"]},
    (D11, "A1.T1.1"): {"lead": ["设施养护处"], "co": ["各相关部门和单位"], "responsible": ["各行业主管部门", "各区"]},
    (D11, "A1.T1.7"): {"lead": ["设施养护处"], "co": ["市交通委（计划财务处）"], "responsible": ["市道运中心"]},
    (D11, "A1.T1.17"): {"lead": ["港监处"], "co": ["市交通委（科信处、宣传处）", "市港航中心"], "responsible": ["久事集团"]},
    (D12, "A3.T1.C1.1"): {"lead": ["建设主管部门", "区规划资源局"],
                          "co": ["区水务局", "区绿化市容局", "区国动办", "区房管局", "区规划资源局"]},
    (D12, "A3.T1.C1.2"): {"lead": ["区土方工作专班"], "co": ["区绿化市容局", "区规划资源局", "区建设管理委", "属地街镇"]},
    (D12, "A3.T1.C4.2"): {"co": ["属地街镇", "区建设管理委", "区绿化市容局", "区水务局", "区生态环境局", "区城管执法局",
                                 "区房管局", "公安青浦分局", "区数据局", "区城运中心"]},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    for path in [*sorted((shared_dir() / "corpus").glob("*.txt")), *sorted((shared_dir() / "corpus" / "tables").iterdir())]:
        shutil.copy(path, sources / path.name)
    return run_build(sources, tmp_path_factory.mktemp("outputs")).release_dir


@pytest.fixture(scope="module")
def release(built):
    connection = duckdb.connect(str(built / "plan.duckdb"), read_only=True)
    yield connection
    connection.close()


def test_tasks_per_file_and_no_error(release):
    tasks = dict(release.execute("SELECT doc_id, count(*) FROM tasks GROUP BY ALL").fetchall())
    documents = [row[0] for row in release.execute("SELECT doc_id FROM documents").fetchall()]
    assert {doc_id: tasks.get(doc_id, 0) for doc_id in documents} == TASKS
    assert release.execute("SELECT count(*) FROM findings WHERE severity = 'error'").fetchone()[0] == 0


@pytest.mark.parametrize(("doc_id", "task_id"), sorted(README_ROWS))
def test_readme_rows_match_ids_units_and_roles(release, doc_id, task_id):
    rows = release.execute("SELECT role, unit_label FROM assignments WHERE doc_id = ? AND task_id = ? "
                           "ORDER BY role, position", [doc_id, task_id]).fetchall()
    found: dict[str, list[str]] = {}
    for role, label in rows:
        found.setdefault(role, []).append(label)
    assert found == README_ROWS[(doc_id, task_id)]


def test_08_every_unit_guides_and_the_five_category_rows_are_sections(release):
    roles = release.execute("SELECT DISTINCT role FROM assignments WHERE doc_id = ?", [D08]).fetchall()
    assert roles == [("guide",)]
    categories = release.execute("SELECT section_id, label, heading FROM sections WHERE doc_id = ? AND kind = 'category' "
                                 "ORDER BY section_id", [D08]).fetchall()
    assert [row[:2] for row in categories] == [("A1.T1.C1", "一、"), ("A1.T1.C2", "二、"), ("A1.T1.C3", "三、"),
                                               ("A1.T1.C4", "四、"), ("A1.T1.C5", "五、")]
    assert categories[0][2] == "知识产权保护方面（共5项）"
    # The prose list of the 23 measures gives no task: every task is a table row.
    assert release.execute("SELECT count(*) FROM tasks WHERE doc_id = ? AND table_id IS NULL", [D08]).fetchone()[0] == 0


def test_09_publishes_without_tasks_and_without_a_no_tasks_warning(release):
    assert release.execute("SELECT count(*) FROM documents WHERE doc_id = ?", [D09]).fetchone()[0] == 1
    assert release.execute("SELECT count(*) FROM findings WHERE doc_id = ? AND kind = 'no_tasks'", [D09]).fetchone()[0] == 0


def test_10_inline_clauses_and_table_rows_are_all_responsible(release):
    where = release.execute("SELECT table_id, count(*) FROM tasks WHERE doc_id = ? GROUP BY ALL ORDER BY ALL",
                            [D10]).fetchall()
    assert where == [("A1.T1", 12), (None, 28)]  # 表1–表3 give none
    assert release.execute("SELECT DISTINCT role FROM assignments WHERE doc_id = ?", [D10]).fetchall() == [("responsible",)]


def test_11_roles_and_the_ambiguous_rows(release):
    roles = dict(release.execute("SELECT role_label, min(role) FROM assignments WHERE doc_id = ? GROUP BY ALL",
                                 [D11]).fetchall())
    assert roles == {"牵头部门": "lead", "配合部门": "co", "实施主体": "responsible"}
    bare = release.execute("SELECT task_id FROM tasks t WHERE doc_id = ? AND NOT EXISTS (SELECT 1 FROM assignments a "
                           "WHERE a.doc_id = t.doc_id AND a.task_id = t.task_id) ORDER BY seq", [D11]).fetchall()
    assert [row[0] for row in bare] == ["A1.T1.3", "A1.T1.4", "A1.T1.5", "A1.T1.26", "A1.T1.29"]
    warned = release.execute("SELECT line FROM findings WHERE doc_id = ? AND kind = 'table_alignment' ORDER BY line",
                             [D11]).fetchall()
    assert [row[0] for row in warned] == [145, 161, 169, 429, 483]  # the lines of （3）（4）（5）（26）（29）
    text = release.execute("SELECT text FROM tasks WHERE doc_id = ? AND task_id = 'A1.T1.1'", [D11]).fetchone()[0]
    assert "建设精品道路100条。" in text  # a per-year target stays with the task
    # The unit group printed once for (8)–(10) goes to each of them.
    shared = release.execute("SELECT task_id FROM assignments WHERE doc_id = ? AND role = 'lead' "
                             "AND task_id IN ('A1.T1.8', 'A1.T1.9', 'A1.T1.10') ORDER BY task_id", [D11]).fetchall()
    assert len(shared) == 3


def test_12_attachment_3_rows_and_no_task_from_the_duty_lists(release):
    outside = release.execute("SELECT count(*) FROM tasks WHERE doc_id = ? AND task_id NOT LIKE 'A3.T1.%'",
                              [D12]).fetchone()[0]
    assert outside == 0
    assert release.execute("SELECT count(*) FROM findings WHERE doc_id = ? AND kind = 'no_tasks'", [D12]).fetchone()[0] == 0
    # README: 7 rows have co ——, 1 row has lead —— (the last one).
    without = dict(release.execute(
        "SELECT r.role, count(*) FROM tasks t CROSS JOIN (VALUES ('lead'), ('co')) r(role) WHERE t.doc_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM assignments a WHERE a.doc_id = t.doc_id AND a.task_id = t.task_id AND a.role = r.role) "
        "GROUP BY ALL", [D12]).fetchall())
    assert without == {"co": 7, "lead": 1}
    per_category = dict(release.execute("SELECT section_id, count(*) FROM tasks WHERE doc_id = ? GROUP BY ALL",
                                        [D12]).fetchall())
    assert per_category == {"A3.T1.C1": 7, "A3.T1.C2": 10, "A3.T1.C3": 6, "A3.T1.C4": 3}
    listed = release.execute("SELECT ordinal, title FROM attachments WHERE doc_id = ? ORDER BY ordinal", [D12]).fetchall()
    assert [row[0] for row in listed] == [1, 2, 3] and listed[2][1] == "全面加强建筑垃圾管理的实施意见任务职责分工表"


def test_13_one_info_finding_and_no_task(release):
    found = release.execute("SELECT kind, severity FROM findings WHERE doc_id = ? AND kind IN "
                            "('table_units_in_rows', 'no_tasks')", [D13]).fetchall()
    assert found == [("table_units_in_rows", "info")]
    parts = release.execute("SELECT section_id, parent_id FROM sections WHERE doc_id = ? AND kind = 'attachment' "
                            "ORDER BY section_id", [D13]).fetchall()
    assert parts == [("A1", None), ("A1.A1", "A1")]


def test_cli_summary_and_quality_report_list_every_notice_with_0_tasks(built):
    from pipeline.cli import notices_without_tasks
    empty = notices_without_tasks(built / "plan.duckdb")
    assert [(doc_id, line) for doc_id, _, line in empty] == [(D09, None), (D13, None)]
    quality = (built / "quality.md").read_text(encoding="utf-8")
    section = quality.split("## Notices with 0 tasks", 1)[1].split("\n## ", 1)[0]
    assert D09 in section and D13 in section and D08 not in section
