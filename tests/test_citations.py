"""Cited documents (issue 5).

The Taizhou expectations below were written by reading the notice
(sources/taizhou-anticorruption-2008-2012.txt), line by line, not by running the code.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline.core.citations import citation_rows, find_titles, issuer_prefix, parse_citations
from pipeline.core.notice import parse_notice
from pipeline.core.outline import parse_outline
from pipeline.core.registry import UnitRegistry

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "sources" / "taizhou-anticorruption-2008-2012.txt"
SCHEMA = ROOT / "schemas" / "citations.schema.json"


@pytest.fixture(scope="module")
def text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def citations(text):
    return parse_citations(text, parse_outline(text, SOURCE.name))


# -- golden expectations, read from the notice -------------------------------------------------

# (line, section_id, task_id, title, issuer_prefix, action)
GOLDEN = [
    # 二（一）: 认真贯彻中央《…》
    (21, "2.1", "2.1", "关于加强党员经常性教育的意见", "中央", "implement"),
    # 二（二）: 制定《…》 / 把《…》等教材纳入 (a textbook, no verb)
    (25, "2.2", "2.2", "台州市加强对领导干部反腐倡廉教育的意见", None, "draft"),
    (25, "2.2", "2.2", "新时期领导干部反腐倡廉教程", None, "other"),
    # 二（三）
    (29, "2.3", "2.3", "关于加强廉政文化建设的意见", "市委", "implement"),
    (29, "2.3", "2.3", "关于在大中小学全面开展廉洁教育的意见", "教育部", "implement"),
    # 三（一）: one 制定 before a list of four, then 制定 again after ；
    (38, "3.1", "3.1", "台州市市级非税收入收缴管理暂行办法", None, "draft"),
    (38, "3.1", "3.1", "台州市政府采购实施细则", None, "draft"),
    (38, "3.1", "3.1", "台州市综合评标专家管理办法", None, "draft"),
    (38, "3.1", "3.1", "政府投资预算管理办法", None, "draft"),
    (38, "3.1", "3.1", "台州市行政服务中心管理办法", None, "draft"),
    # 三（四）: 认真贯彻执行中央《廉政准则》和中纪委《…》; 落实市委《…》
    (51, "3.4", "3.4", "廉政准则", "中央", "implement"),
    (51, "3.4", "3.4", "关于严格禁止利用职务上的便利谋取不正当利益的若干规定", "中纪委", "implement"),
    (51, "3.4", "3.4", "关于领导干部在经济活动中的若干纪律规定", "市委", "implement"),
    # 三（五）: 根据《…》和《…》
    (55, "3.5", "3.5", "中国共产党纪律处分条例", None, "implement"),
    (55, "3.5", "3.5", "行政机关公务员处分条例", None, "implement"),
    # 三（七）: 研究制定《中共台州市委关于…》: the issuer is inside the title, not before it
    (65, "3.7", "3.7", "中共台州市委关于各级纪委协助党委组织协调反腐败工作的实施办法", None, "draft"),
    # 四（一）2: 继续抓好《…》的贯彻落实 (verb after the title); 制定《…》等
    (71, "4.1.2", "4.1", "浙江省党内监督十项制度实施办法（试行）", None, "implement"),
    (71, "4.1.2", "4.1", "关于进一步发挥市纪委委员作用的若干意见", None, "draft"),
    (72, "4.1.3", "4.1", "关于加强对县处级党政“一把手”管理监督的若干规定", "市委", "implement"),
    # 四（二）: 认真落实《监督法》、《…》，研究制定实施《监督法》 (研究制定实施 is a draft verb by the spec)
    (76, "4.2", "4.2", "监督法", None, "implement"),
    (76, "4.2", "4.2", "中共台州市委关于进一步加强人大工作的意见", None, "implement"),
    (76, "4.2", "4.2", "监督法", None, "draft"),
    (84, "4.4", "4.4", "全面推进依法行政实施纲要", "国务院", "implement"),
    (88, "4.5", "4.5", "浙江省预防职务犯罪条例", None, "implement"),
    # 五（一）1: 贯彻落实市委办《A》和《B》: the issuer is not carried over to B
    (105, "5.1.1", "5.1.1", "关于在全市机关干部中推行“一线工作法”的实施意见", "市委办", "implement"),
    (105, "5.1.1", "5.1.1", "关于市直机关深化作风建设推行“一线工作法”的实施意见", None, "implement"),
    # 五（一）2: 落实中办、国办《…》和中纪委《…》，出台《…》
    (108, "5.1.2", "5.1.2", "关于进一步加强因公出国（境）管理的若干规定", "中办、国办", "implement"),
    (108, "5.1.2", "5.1.2", "关于开展贯彻落实“两办规定”制止党政干部公款出国境旅游专项工作的通知", "中纪委",
     "implement"),
    (108, "5.1.2", "5.1.2", "台州市进一步加强因公出国（境）管理的若干规定", None, "draft"),
    (111, "5.1.3", "5.1.3", "关于建立健全作风建设长效机制的意见", "省委、省政府", "implement"),
    (115, "5.2.1", "5.2.1", "国有企业领导人员廉洁从业若干规定", "中央", "implement"),
    # 五（三）: one shared block governs items 1-3
    (122, "5.3.1", "5.3", "浙江省农村基层党员和干部廉洁自律若干规定（试行）", None, "implement"),
    (123, "5.3.2", "5.3", "关于建立健全村务监督委员会，加强村级民主监督工作的意见", "市委", "implement"),
    (124, "5.3.3", "5.3", "台州市村级财务管理责任追究办法(试行)", None, "implement"),
    # 五（五）: 出台《…》；制定《…》，修订完善《…》
    (134, "5.5", "5.5", "台州市级部门关键岗位绩效考评办法", None, "draft"),
    (134, "5.5", "5.5", "台州市行政效能监察工作暂行办法", None, "draft"),
    (134, "5.5", "5.5", "台州市机关效能责任追究办法", None, "draft"),
    # 六（一）2: brackets and 、 inside the title
    (140, "6.1.2", "6.1", "浙江省市、县（市、区）党政领导班子和领导干部综合考核评价实施办法（试行）", None,
     "implement"),
    # 六（二）1: 纠正和查处违反《行政许可法》的行为
    (145, "6.2.1", "6.2.1", "行政许可法", None, "other"),
    (184, "6.7.2", "6.7.2", "关于进一步推进政府公共资源市场化配置工作的实施意见", "市政府", "implement"),
    (184, "6.7.2", "6.7.2", "台州市公共资源统一进场交易管理办法", None, "draft"),
    (190, "6.7.4", "6.7.4", "物权法", None, "implement"),
    (190, "6.7.4", "6.7.4", "土地管理法", None, "implement"),
    (190, "6.7.4", "6.7.4", "全国工业用地出让最低价标准", None, "implement"),
    (190, "6.7.4", "6.7.4", "协议出让国有土地使用权操作规范", None, "implement"),
    (190, "6.7.4", "6.7.4", "招标拍卖挂牌出让国有土地使用权操作规范", None, "implement"),
    (190, "6.7.4", "6.7.4", "关于进一步规范矿业权出让管理的通知", None, "implement"),
    # 六（七）7: 制定出台《…》
    (199, "6.7.7", "6.7.7", "台州市关于推进行业协会改革发展的指导意见", None, "draft"),
    # 八: the plan itself, no task governs chapter 8
    (227, "8.1", None, "实施细则", None, "implement"),
    (229, "8.2", None, "实施细则", None, "other"),  # 协助党委抓好《实施细则》各项任务的分解和落实
    (231, "8.3", None, "实施细则", None, "implement"),
    (231, "8.3", None, "实施细则", None, "implement"),
    (233, "8.4", None, "实施细则", None, "implement"),  # 对《实施细则》落实情况 (verb after)
    (233, "8.4", None, "实施细则", None, "implement"),
    (233, "8.4", None, "实施细则", None, "implement"),  # 定期分析《实施细则》落实过程中
]

# Header (lines 1-7, before 一、总体要求): no section, no task.
GOLDEN_HEADER = [
    (2, "台州市建立健全惩治和预防腐败体系2008—2012年实施细则", None, "other"),  # 关于印发《…》的通知
    (4, "台州市建立健全惩治和预防腐败体系2008—2012年实施细则", None, "other"),  # 现将《…》印发给你们
    (7, "建立健全惩治和预防腐败体系2008—2012年工作规划", "中央", "implement"),
    (7, "浙江省建立健全惩治和预防腐败体系 2008—2012年实施办法", None, "implement"),
    (7, "台州市构建预防和惩治腐败体系实施办法（试行）", None, "implement"),
]

# Counted by reading: 55 《 in the body (lines 8-233), 5 in the header; no nested 《》 in this notice.
BODY_TITLES = 55
HEADER_TITLES = 5


def test_body_count_read_from_the_notice(citations):
    body = [c for c in citations if c.section_id is not None]
    assert len(body) == BODY_TITLES == len(GOLDEN)
    assert len(citations) == BODY_TITLES + HEADER_TITLES


def test_every_body_citation_matches_the_reading(citations):
    body = [(c.line, c.section_id, c.task_id, c.title, c.issuer_prefix, c.action)
            for c in citations if c.section_id is not None]
    assert body == GOLDEN


def test_header_citations(citations):
    header = [c for c in citations if c.section_id is None]
    assert [(c.line, c.title, c.issuer_prefix, c.action) for c in header] == GOLDEN_HEADER
    assert all(c.task_id is None for c in header)
    assert [c.citation_id for c in header] == ["0-c1", "0-c2", "0-c3", "0-c4", "0-c5"]


def test_counts_by_action(citations):
    expected = Counter(action for *_, action in GOLDEN) + Counter(action for *_, action in GOLDEN_HEADER)
    assert Counter(c.action for c in citations) == expected == Counter(draft=15, implement=40, other=5)


def test_citation_ids_are_unique_and_numbered_within_their_section(citations):
    ids = [c.citation_id for c in citations]
    assert len(set(ids)) == len(ids)
    by_id = {c.citation_id: c for c in citations}
    assert by_id["3.1-c1"].title == "台州市市级非税收入收缴管理暂行办法"
    assert by_id["3.1-c5"].title == "台州市行政服务中心管理办法"
    assert by_id["6.1.2-c1"].line == 140
    assert by_id["5.1.2-c2"].issuer_prefix == "中纪委"
    assert by_id["6.7.7-c1"].action == "draft"
    for c in citations:
        assert c.citation_id.startswith(f"{c.section_id or '0'}-c")


def test_parse_notice_publishes_the_table(text):
    units = (ROOT / "sources" / "units.csv").read_text(encoding="utf-8")
    aliases = (ROOT / "sources" / "unit_aliases.csv").read_text(encoding="utf-8")
    rows = parse_notice(SOURCE.read_bytes(), SOURCE.name, UnitRegistry.from_csv(units, aliases))
    table = rows.tables["citations"]
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert [list(row) for row in table] == [[f["name"] for f in schema["fields"]]] * len(table)
    assert len(table) == BODY_TITLES + HEADER_TITLES
    sha = rows.tables["documents"][0]["source_sha256"]
    assert all(row["doc_id"] == rows.doc_id and row["source_sha256"] == sha for row in table)
    # foreign keys hold
    sections = {row["section_id"] for row in rows.tables["sections"]}
    tasks = {row["task_id"] for row in rows.tables["tasks"]}
    assert all(row["section_id"] is None or row["section_id"] in sections for row in table)
    assert all(row["task_id"] is None or row["task_id"] in tasks for row in table)
    # the governed text of the task really holds the title
    task_text = {row["task_id"]: row["text"] for row in rows.tables["tasks"]}
    assert all(f"《{row['title']}》" in task_text[row["task_id"]] for row in table if row["task_id"])
    actions = schema["fields"][[f["name"] for f in schema["fields"]].index("action")]["constraints"]["enum"]
    assert {row["action"] for row in table} <= set(actions)


def test_schema_shape():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["name"] == "citations"
    assert [f["name"] for f in schema["fields"]] == [
        "doc_id", "citation_id", "section_id", "task_id", "title", "issuer_prefix", "action", "line",
        "source_sha256"]
    for field in schema["fields"]:
        assert {"name", "type", "title", "title_zh", "description", "description_zh"} <= set(field)
    assert schema["primaryKey"] == ["doc_id", "citation_id"]
    assert {(tuple(fk["fields"]), fk["reference"]["resource"]) for fk in schema["foreignKeys"]} == {
        (("doc_id", "section_id"), "sections"), (("doc_id", "task_id"), "tasks")}


# -- small strings ------------------------------------------------------------------------------

def _titles(line: str) -> list[str]:
    return [span.title(line) for span in find_titles(line)]


def test_nested_titles_give_the_outer_one():
    assert _titles("转发《关于印发《台州市某办法》的通知》，") == ["关于印发《台州市某办法》的通知"]
    assert _titles("《甲〈乙〉丙》和《丁》") == ["甲〈乙〉丙", "丁"]
    assert _titles("落实《浙江省市、县（市、区）考核办法（试行）》") == ["浙江省市、县（市、区）考核办法（试行）"]


def test_unbalanced_marks():
    assert _titles("《未闭合的书名") == []
    assert _titles("多余的》和《正常》") == ["正常"]
    assert _titles("《外层没有闭合《内层》") == ["内层"]
    assert _titles("空的《》") == []


@pytest.mark.parametrize("before, issuer", [
    ("认真贯彻中央", "中央"),
    ("认真贯彻执行中央", "中央"),
    ("落实中办、国办", "中办、国办"),
    ("认真落实省委、省政府", "省委、省政府"),
    ("贯彻落实市委办", "市委办"),
    ("落实市政府", "市政府"),
    ("认真落实国务院", "国务院"),
    ("》和中纪委", "中纪委"),
    ("结合课外活动，落实教育部", "教育部"),
    ("贯彻国家发改委", "国家发改委"),
    ("贯彻落实党中央和国务院", "党中央和国务院"),
    ("落实住房和城乡建设部", "住房和城乡建设部"),
    ("认真落实", None),
    ("研究制定", None),
    ("》、", None),
    ("把领导干部", None),
    ("纠正和查处违反", None),
    ("", None),
])
def test_issuer_prefix(before, issuer):
    assert issuer_prefix(before) == issuer


@pytest.mark.parametrize("line, actions", [
    ("制定《A》、《B》、《C》等；制定《D》，", ["draft"] * 4),
    ("制定出台《A》", ["draft"]),
    ("研究制定《A》", ["draft"]),
    ("修订完善《A》", ["draft"]),
    ("研究制定实施《A》的有关配套制度", ["draft"]),
    ("认真贯彻中央《A》", ["implement"]),
    ("根据《A》和《B》，建立制度", ["implement", "implement"]),
    ("按照《A》", ["implement"]),
    ("认真执行《A》", ["implement"]),
    ("认真贯彻执行中央《A》和中纪委《B》", ["implement", "implement"]),
    ("落实《A》，出台《B》", ["implement", "draft"]),
    ("制定工作方案，落实《A》", ["implement"]),  # the clause ends at ，
    ("落实《关于制定规划的意见》、《B》", ["implement", "implement"]),  # verbs inside a title do not count
    ("出台《A，落实B》、《C》", ["draft", "draft"]),  # nor does a comma inside a title
    ("继续抓好《A》的贯彻落实", ["implement"]),
    ("对《A》落实情况进行检查", ["implement"]),
    ("把《A》等教材纳入", ["other"]),
    ("违反《A》的行为", ["other"]),
    ("关于印发《A》的通知", ["other"]),
])
def test_action(line, actions):
    """Through parse_citations, the path the published table takes."""
    text = f"标题\n一、总则\n（一）制度\n{line}\n"
    assert [c.action for c in parse_citations(text, parse_outline(text, "t.txt"))] == actions


def test_small_notice_end_to_end():
    notice = "\n".join([
        "某市实施细则",
        "关于印发《某市实施细则》的通知",
        "中共某市委",
        "2010年1月1日",
        "一、总则",
        "（一）制度",
        "认真贯彻中央《关于印发〈甲〉的通知》，制定《乙办法》、《丙规定》。",
        "牵头单位：市纪委",
        "协办单位：市委组织部",
        "（二）其他",
        "根据《丁条例》开展工作。",
    ])
    outline = parse_outline(notice, "small.txt")
    rows = citation_rows(notice, outline, "small", "0" * 64)
    got = [(r["citation_id"], r["section_id"], r["task_id"], r["title"], r["issuer_prefix"], r["action"], r["line"])
           for r in rows]
    assert got == [
        ("0-c1", None, None, "某市实施细则", None, "other", 2),
        ("1.1-c1", "1.1", "1.1", "关于印发〈甲〉的通知", "中央", "implement", 7),
        ("1.1-c2", "1.1", "1.1", "乙办法", None, "draft", 7),
        ("1.1-c3", "1.1", "1.1", "丙规定", None, "draft", 7),
        ("1.2-c1", "1.2", None, "丁条例", None, "implement", 11),
    ]


def test_a_line_of_thousands_of_titles_shares_its_verb():
    """One verb before a long list: every title takes it, and issuer search stays local to each title
    (this shape once took minutes: every title rescanned the whole line)."""
    from pipeline.core.outline import parse_outline
    from pipeline.core.citations import parse_citations

    text = "标题\n一、总则\n（一）制度\n制定" + "、".join(f"《办法{i}》" for i in range(3000)) + "。\n"
    citations = parse_citations(text, parse_outline(text, "t.txt"))
    assert len(citations) == 3000
    assert {c.action for c in citations} == {"draft"}
    assert {c.issuer_prefix for c in citations} == {None}
    assert citations[-1].citation_id == "1.1-c3000"


# -- the line lookup: the plain definitions, and its cost -----------------------------------------

def _deepest_node_by_definition(nodes, line):
    holding = [node for node in nodes if node.line_start <= line <= node.line_end]
    if holding:
        return max(holding, key=lambda node: node.level)
    before = [node for node in nodes if node.line_start <= line]
    return before[-1] if before else None


def _task_by_definition(tasks, line):
    return next((t for t in tasks if t.line_start <= line < t.unit_lines[0].line), None)


def _items_notice(items: int) -> str:
    """Chapters of sections of 5 items; every item cites a title and has its own block, every
    third section has a shared block after its items (a title on its 牵头单位 line, which no task
    governs) and text after that block."""
    lines = ["标题", "关于印发《标题》的通知"]
    for index in range(items):
        section, item = divmod(index, 5)
        chapter, in_chapter = divmod(section, 9)
        if item == 0 and in_chapter == 0:
            lines.append(f"{'一二三四五六七八九'[chapter % 9]}、第{chapter}章")
        if item == 0:
            lines.append(f"（{'一二三四五六七八九'[in_chapter]}）第{section}节")
        lines.append(f"{item + 1}.制定《办法{index}》。")
        if section % 3:
            lines.append("牵头单位：市纪委")
        elif item == 4:
            lines += ["牵头单位：市纪委、《台州日报》社", "协办单位：市监察局", "块后的《文字》。"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("source", ["bundled", "items"])
def test_line_lookup_gives_the_plain_definitions(text, source):
    """Every citation's section and task are those of the definitions in the module docstring."""
    notice = text if source == "bundled" else _items_notice(60)
    outline = parse_outline(notice, "t.txt")
    first_chapter = outline.nodes[0].line_start
    found = parse_citations(notice, outline)
    assert len(found) > 50
    for c in found:
        if c.line < first_chapter:
            assert c.section_id is None and c.task_id is None
            continue
        node = _deepest_node_by_definition(outline.nodes, c.line)
        task = _task_by_definition(outline.tasks, c.line)
        assert (c.section_id, c.task_id) == (node.section_id, task.task_id if task else None), c


class _CountingList(list):
    """A list that counts the elements handed out, however it is read."""

    def __init__(self, items):
        super().__init__(items)
        self.reads = 0

    def __iter__(self):
        for item in super().__iter__():
            self.reads += 1
            yield item

    def __getitem__(self, index):
        found = super().__getitem__(index)
        self.reads += len(found) if isinstance(index, slice) else 1
        return found


def _lookup_reads(items: int) -> int:
    notice = _items_notice(items)
    outline = parse_outline(notice, "t.txt")
    outline.nodes, outline.tasks = _CountingList(outline.nodes), _CountingList(outline.tasks)
    assert len(parse_citations(notice, outline)) > items
    return outline.nodes.reads + outline.tasks.reads


def test_line_lookup_reads_each_node_a_bounded_number_of_times():
    """Twice the items (and lines citing a title) must not cost more than about twice the node reads:
    a scan of every node per line reads four times as many."""
    small, large = _lookup_reads(200), _lookup_reads(400)
    assert large <= 2 * small + 50, (small, large)
