"""Unit registry: every printed label resolves or is a finding; aliases resolve as of the issue date."""
from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

import pytest

from pipeline.core.notice import parse_notice
from conftest import NOTICE, SOURCES

ISSUED = dt.date(2008, 8, 11)


def test_registry_files_are_well_formed():
    units = list(csv.DictReader((SOURCES / "units.csv").open(encoding="utf-8")))
    aliases = list(csv.DictReader((SOURCES / "unit_aliases.csv").open(encoding="utf-8")))
    ids = [u["unit_id"] for u in units]
    assert len(ids) == len(set(ids))
    assert all(u["full_name"] and u["name_en"] and u["category"] for u in units)
    assert {u["parent_id"] for u in units if u["parent_id"]} <= set(ids)
    assert {a["unit_id"] for a in aliases} <= set(ids)
    assert all(a["basis"] for a in aliases)


@pytest.mark.parametrize("label, unit_id, via_alias", [
    ("市纪委", "cpc-discipline", False),
    ("市府办", "gov-office", False),
    ("市外经贸局", "foreign-trade-economic-bureau", False),
    ("市外贸局", "foreign-trade-economic-bureau", True),  # printed once, 六（六）2
    ("市财政（地税）局", "finance-bureau", True),  # bracket kept in the label, one unit
    ("市财政(地税)局", "finance-bureau", True),  # half-width brackets match the same alias
    ("市劳动和社会保障局", "labour-social-security-bureau", False),  # 和 is part of the name
    ("台州市人民政府办公室", "gov-office", True),  # the full official name
])
def test_resolve_as_of_2008(registry, label, unit_id, via_alias):
    resolution = registry.resolve(label, ISSUED)
    assert resolution.unit_id == unit_id
    assert (resolution.via_alias is not None) == via_alias


def test_renamed_units_resolve_by_date(registry):
    """The 2010 merger: the old names mean the successor in texts issued after it."""
    after = dt.date(2011, 3, 1)
    assert registry.resolve("市人事局", ISSUED).unit_id == "personnel-bureau"
    assert registry.resolve("市人事局", after).unit_id == "hr-social-security-bureau"
    assert registry.resolve("市劳动和社会保障局", after).unit_id == "hr-social-security-bureau"
    assert registry.resolve("市人力社保局", after).unit_id == "hr-social-security-bureau"
    assert registry.resolve("市人力社保局", ISSUED).unit_id is None  # the alias did not exist yet


def test_every_printed_label_resolves_or_is_a_finding(notice_bytes, registry):
    notice = parse_notice(notice_bytes, NOTICE.name, registry)
    unresolved = {r["unit_label"] for r in notice.tables["assignments"] if r["unit_id"] is None}
    flagged = {f.value for f in notice.findings if f.kind == "unresolved_unit"}
    assert unresolved == flagged == set()
    aliases = sorted(f.value for f in notice.findings if f.kind == "alias_used")
    assert aliases == ["市外贸局", "市财政（地税）局"]
    assert Counter(f.kind for f in notice.findings) == {"alias_used": 2, "misprinted_label": 1}


def test_unresolved_label_is_published_with_null_id_and_a_finding(registry):
    text = NOTICE.read_text(encoding="utf-8").replace("协办单位：市直机关工委、市文广新局、市委党校、市级新闻单位",
                                                       "协办单位：市直机关工委、市文广新局、市委党校、市新设委员会", 1)
    notice = parse_notice(text.encode("utf-8"), NOTICE.name, registry)
    row = next(r for r in notice.tables["assignments"] if r["unit_label"] == "市新设委员会")
    assert row["unit_id"] is None and (row["task_id"], row["role"], row["position"]) == ("2.1", "co", 4)
    [finding] = [f for f in notice.findings if f.kind == "unresolved_unit"]
    assert (finding.line, finding.value, finding.severity) == (23, "市新设委员会", "warning")
    assert not notice.errors


def test_repeated_unit_in_a_task_is_a_finding(registry):
    text = NOTICE.read_text(encoding="utf-8").replace("牵头单位：市纪委、市委宣传部\n协办单位：市直机关工委、市农办",
                                                       "牵头单位：市纪委、市委宣传部\n协办单位：市纪委、市农办", 1)
    notice = parse_notice(text.encode("utf-8"), NOTICE.name, registry)
    [finding] = [f for f in notice.findings if f.kind == "unit_repeated_in_task"]
    assert finding.line == 31 and finding.value == "市纪委"
