"""Issue 15 §5: wrapped titles, forwarding notices, joint issuers, and addressees never taken from a title.
Expected values are typed from the hand-made texts."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import shared_dir  # noqa: E402
from core_helpers import unit_registry  # noqa: E402

from pipeline.core.notice import parse_notice  # noqa: E402

BODY = "一、主要任务\n（一）做好甲项工作。（A局负责）\n"


def _tables(text: str) -> dict:
    return parse_notice(text.encode("utf-8"), "synthetic.txt", unit_registry()).tables


def _document(text: str) -> dict:
    return _tables(text)["documents"][0]


@pytest.mark.parametrize("gap", ["\n", "\n\n", "\n\n\n"])
def test_a_title_wrapped_over_three_lines_with_or_without_blank_lines_is_one_title(gap):
    doc = _document(gap.join(["某市人民政府关于印发某市推进", "数字政府建设三年行动计划", "（2023—2025年）的通知"])
                    + "\n各区人民政府：\n现印发给你们。\n某市人民政府\n2023年3月1日\n"
                    + "某市推进数字政府建设三年行动计划（2023—2025年）\n" + BODY)
    assert (doc["notice_title"], doc["title"], doc["period_start"], doc["period_end"], doc["addressees"]) == (
        "某市人民政府关于印发某市推进数字政府建设三年行动计划（2023—2025年）的通知",
        "某市推进数字政府建设三年行动计划（2023—2025年）", 2023, 2025, "各区人民政府")


def test_a_plan_title_wrapped_before_its_period_line_takes_the_period():
    doc = _document("某市推进数字政府建设\n\n三年行动计划\n\n（2023—2025年）\n\n为推进建设，制定本计划。\n" + BODY)
    assert (doc["title"], doc["notice_title"], doc["period_start"], doc["period_end"], doc["preamble"]) == (
        "某市推进数字政府建设三年行动计划（2023—2025年）", None, 2023, 2025, "为推进建设，制定本计划。")


def test_a_forwarding_notice_gives_the_forwarded_plan_as_title_and_keeps_its_drafting_body():
    # The shape of corpus tables/10: the drafting body is printed in the notice's text (拟定的《…》).
    doc = _document("某区人民政府办公室关于转发《某区海绵城市建设实施方案》的通知\n\n各镇人民政府：\n\n"
                    "区建设管理委拟定的《某区海绵城市建设实施方案》已经区政府同意，现转发给你们，请认真按照执行。\n\n"
                    "某区人民政府办公室\n\n2024年10月10日\n\n某区海绵城市建设实施方案\n\n为推进建设，制定本方案。\n\n"
                    + BODY)
    assert (doc["notice_title"], doc["title"], doc["drafted_by"], doc["issuer"], doc["issue_date"],
            doc["preamble"]) == (
        "某区人民政府办公室关于转发《某区海绵城市建设实施方案》的通知", "某区海绵城市建设实施方案", "区建设管理委",
        "某区人民政府办公室", dt.date(2024, 10, 10), "为推进建设，制定本方案。")


def test_a_forwarding_title_without_the_plan_printed_again_gives_the_forwarded_title_and_body():
    # The shape of corpus tables/09: 转发国家教委关于…请示的通知, the 请示 not printed again under the date.
    doc = _document("国务院办公厅转发国家教委关于内地西藏班扩大规模有关问题请示的通知\n"
                    "各省、自治区、直辖市人民政府：\n国家教委《关于内地西藏班扩大规模有关问题的请示》已经国务院同意，现转发给你们。\n"
                    "国务院办公厅\n一九九六年七月十七日\n" + BODY)
    assert (doc["title"], doc["drafted_by"], doc["issuer"]) == (
        "国家教委关于内地西藏班扩大规模有关问题请示", "国家教委", "国务院办公厅")


def test_an_issuing_notice_has_no_drafting_body():
    doc = _document("某市人民政府关于印发某某方案的通知\n各区人民政府：\n现印发给你们。\n某市人民政府\n2023年3月1日\n"
                    "某某方案\n" + BODY)
    assert (doc["title"], doc["drafted_by"]) == ("某某方案", None)


def _issuers(tables: dict) -> list[tuple]:
    return [(row["position"], row["issuer"], row["line"]) for row in tables["issuers"]]


def test_joint_issuers_on_one_line_are_each_a_row_and_the_documents_issuer_stays_as_printed():
    tables = _tables("某部 某委关于印发某某方案的通知\n各省人民政府：\n现印发给你们。\n"
                     "国家发展改革委　财政部  人民银行\n2023年3月1日\n某某方案\n" + BODY)
    assert tables["documents"][0]["issuer"] == "国家发展改革委　财政部  人民银行"
    assert _issuers(tables) == [(1, "国家发展改革委", 4), (2, "财政部", 4), (3, "人民银行", 4)]


def test_joint_issuers_on_consecutive_lines_before_the_date_are_each_a_row():
    tables = _tables("关于印发某某方案的通知\n各省人民政府：\n现印发给你们。\n特此通知\n"
                     "国家发展改革委\n财政部\n中国人民银行\n2023年3月1日\n某某方案\n" + BODY)
    document = tables["documents"][0]
    # 特此通知 is no body's name: it stays in the notice's text.
    assert (document["issuer"], document["notice_body"]) == ("国家发展改革委\n财政部\n中国人民银行", "现印发给你们。\n特此通知")
    assert _issuers(tables) == [(1, "国家发展改革委", 5), (2, "财政部", 6), (3, "中国人民银行", 7)]


def test_joint_issuers_at_the_end_of_an_opinion_are_each_a_row():
    tables = _tables("某市关于促进某某发展的若干意见\n各区人民政府：\n为促进发展，提出以下意见。\n" + BODY
                     + "中共某市委员会\n某市人民政府\n2020年1月12日\n（此件公开发布）\n")
    assert tables["documents"][0]["issuer"] == "中共某市委员会\n某市人民政府"
    assert _issuers(tables) == [(1, "中共某市委员会", 6), (2, "某市人民政府", 7)]
    assert "某市人民政府" not in (tables["sections"][-1]["body"] or "")


def test_a_single_issuer_is_one_row():
    tables = _tables("关于印发某某方案的通知\n各区人民政府：\n现印发给你们。\n某市人民政府\n2023年3月1日\n某某方案\n" + BODY)
    assert _issuers(tables) == [(1, "某市人民政府", 4)]


def test_addressees_are_never_taken_from_a_title_line():
    # A second title line that is not recognised as such must not be read into the addressees.
    doc = _document("某某工作要点\n关于做好某某工作的安排\n各区人民政府：\n现印发给你们。\n" + BODY)
    assert doc["addressees"] is None or "工作的安排" not in doc["addressees"]
    doc = _document("某市人民政府关于印发某某方案的通知\n某某方案\n各区人民政府：\n现印发给你们。\n" + BODY)
    assert "某某方案" not in (doc["addressees"] or "")


@pytest.mark.corpus
def test_corpus_forwarding_notice_10_header():
    path = next((shared_dir() / "corpus" / "tables").glob("10_*.txt"))
    from pipeline.core.header import parse_header
    from pipeline.core.readers import read_document
    document = read_document(path.read_bytes(), path.name)
    from pipeline.core.lines import Line
    lines = [Line(p.line, p.text) for p in document.paragraphs()]
    first = next(i for i, line in enumerate(lines) if line.text == "一、工作目标")
    header = parse_header(lines[:first], lines[first].number)
    assert (header.notice_title, header.title, header.drafted_by, header.issuer, header.issuers,
            header.issue_date) == (
        "上海市嘉定区人民政府办公室关于转发《嘉定区系统化全域推进海绵城市建设的实施方案》的通知",
        "嘉定区系统化全域推进海绵城市建设的实施方案", "区建设管理委", "上海市嘉定区人民政府办公室",
        [("上海市嘉定区人民政府办公室", 7)], dt.date(2024, 10, 10))


def _corpus_document(prefix: str) -> dict:
    path = next((shared_dir() / "corpus" / "tables").glob(f"{prefix}_*"))
    tables = parse_notice(path.read_bytes(), path.name, unit_registry()).tables
    return tables["documents"][0], [(row["issuer"], row["line"]) for row in tables["issuers"]]


@pytest.mark.corpus
def test_corpus_forwarding_notice_09_takes_the_forwarded_requests_wrapped_title_and_its_drafting_body():
    # 09 (HTML) lines 1-3: 国务院办公厅转发国家教委 / 关于内地西藏班（校）扩大规模 / 有关问题请示的通知; lines 9-10 the
    # 请示's own title; line 7: 国务院办公厅 followed by spaces and the broken entity &sp; (not an issuer).
    document, issuers = _corpus_document("09")
    assert (document["notice_title"], document["title"], document["drafted_by"], document["issue_date"]) == (
        "国务院办公厅转发国家教委关于内地西藏班（校）扩大规模有关问题请示的通知",
        "关于内地西藏班（校）扩大规模有关问题的请示", "国家教委", dt.date(1996, 7, 17))
    assert issuers == [("国务院办公厅", 7)]


@pytest.mark.corpus
def test_corpus_08_signature_before_the_deletion_note_gives_issuer_and_date():
    # 08 lines 17-19: 国务院办公厅 / 2018年12月23日 / （本文有删减）.
    document, issuers = _corpus_document("08")
    assert (document["issuer"], document["issue_date"]) == ("国务院办公厅", dt.date(2018, 12, 23))
    assert issuers == [("国务院办公厅", 17)]
