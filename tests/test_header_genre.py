"""Issue 9 §4: titles, document number, issuer and date wherever they are printed."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_helpers import unit_registry  # noqa: E402

from pipeline.core.notice import parse_notice  # noqa: E402

BODY = "一、主要任务\n（一）做好甲。（A局负责）\n"


def document(text: str) -> tuple[dict, list[tuple[str, str]]]:
    tables = parse_notice(text.encode("utf-8"), "synthetic.txt", unit_registry()).tables
    return tables["documents"][0], [(row["kind"], row["severity"]) for row in tables["findings"]
                                    if row["kind"] != "unresolved_unit"]


def test_covering_notice_wrapped_with_number_and_signature_before_the_plan():
    doc, findings = document("某省人民政府办公厅关于印发某某工作\n实施方案（2021—2025年）的通知\n某政办发〔2021〕7号\n各市人民政府：\n"
                             "现将方案印发给你们。\n某省人民政府办公厅\n二〇二一年三月五日\n（此件公开发布）\n"
                             "某某工作实施方案（2021—2025年）\n为做好工作，制定本方案。\n" + BODY)
    assert (doc["notice_title"], doc["title"], doc["doc_number"], doc["addressees"], doc["notice_body"],
            doc["issuer"], doc["issue_date"], doc["period_start"], doc["period_end"], doc["preamble"]) == (
        "某省人民政府办公厅关于印发某某工作实施方案（2021—2025年）的通知", "某某工作实施方案（2021—2025年）",
        "某政办发〔2021〕7号", "各市人民政府", "现将方案印发给你们。", "某省人民政府办公厅", dt.date(2021, 3, 5),
        2021, 2025, "为做好工作，制定本方案。")
    assert findings == []


def test_opinion_signed_at_the_end():
    doc, findings = document("某市人民政府关于促进某某发展的\n若干意见\n某政发〔2020〕1号\n各区人民政府：\n为促进发展，提出以下意见。\n"
                             + BODY + "某市人民政府\n2020年1月12日\n（此件公开发布）\n")
    assert (doc["title"], doc["notice_title"], doc["doc_number"], doc["issuer"], doc["issue_date"], doc["preamble"]) == (
        "某市人民政府关于促进某某发展的若干意见", None, "某政发〔2020〕1号", "某市人民政府", dt.date(2020, 1, 12),
        "为促进发展，提出以下意见。")
    assert findings == [("missing_header_field", "warning")]  # no period in the title


def test_missing_date_issuer_and_period_are_warnings_and_nulls():
    doc, findings = document("某某工作方案\n" + BODY)
    assert (doc["issue_date"], doc["issuer"], doc["period_start"]) == (None, None, None)
    assert ("missing_issue_date", "warning") in findings
    assert all(severity == "warning" for _, severity in findings)
