"""A faulty registry file is one line naming the file and the line, never a Python exception or a silent pick."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.sources.discovery import SourceFile
from conftest import NOTICE

UNITS_HEADER = "unit_id,jurisdiction,name,full_name,name_en,category,parent_id,valid_from,valid_to,note\n"
ALIASES_HEADER = "alias,unit_id,valid_from,valid_to,basis\n"
FINANCE = "finance-bureau,taizhou,市财政局,台州市财政局,Taizhou Municipal Finance Bureau,government_department,,,,\n"
AUDIT = "audit-bureau,taizhou,市审计局,台州市审计局,Taizhou Municipal Audit Bureau,government_department,,,,\n"


def _error(units: str, aliases: str = ALIASES_HEADER) -> str:
    with pytest.raises(PlanDataError) as caught:
        UnitRegistry.from_csv(units, aliases, "sources/units.csv", "sources/unit_aliases.csv")
    message = str(caught.value)
    assert "\n" not in message and "Error" not in message
    return message


def test_same_name_with_overlapping_validity_is_refused():
    units = (UNITS_HEADER + FINANCE + AUDIT
             + "finance-bureau-new,taizhou,市财政局,台州市财政局,New bureau,government_department,,2009-01-01,,\n")
    assert _error(units) == ("sources/units.csv:4: unit name 市财政局 is also finance-bureau's (line 2) in "
                             "jurisdiction taizhou, and their validity periods overlap; "
                             "give them disjoint valid_from/valid_to")


def test_names_that_match_only_after_normalising_width_and_spaces_also_collide():
    units = UNITS_HEADER + FINANCE + "other,taizhou,市财政 局,x,x,collective,,2001-01-01,2001-12-31,\n"
    assert _error(units).startswith("sources/units.csv:3: unit name 市财政 局 is also finance-bureau's (line 2)")


def test_overlap_is_found_whatever_the_row_order():
    """The message stands at the later line of the pair and names the earlier one."""
    units = (UNITS_HEADER
             + "a,taizhou,市局,x,x,collective,,2000-01-01,2010-12-31,\n"
             + "b,taizhou,市局,x,x,collective,,2002-01-01,2003-12-31,\n"
             + "c,taizhou,市局,x,x,collective,,2005-01-01,,\n")
    # b lies inside a: that is the first overlap reported, at b's line.
    assert _error(units).startswith("sources/units.csv:3: unit name 市局 is also a's (line 2)")
    units = (UNITS_HEADER
             + "a,taizhou,市局,x,x,collective,,2000-01-01,2010-12-31,\n"
             + "b,taizhou,市局,x,x,collective,,2011-01-01,2011-12-31,\n"
             + "c,taizhou,市局,x,x,collective,,2005-01-01,2005-12-31,\n")
    assert _error(units).startswith("sources/units.csv:4: unit name 市局 is also a's (line 2)")


def test_same_name_in_disjoint_periods_resolves_by_date():
    units = (UNITS_HEADER
             + "old,taizhou,市局,x,x,collective,,,2009-12-31,\n"
             + "new,taizhou,市局,x,x,collective,,2010-01-01,,\n")
    registry = UnitRegistry.from_csv(units, ALIASES_HEADER)
    assert registry.resolve("市局", dt.date(2009, 12, 31)).unit_id == "old"
    assert registry.resolve("市局", dt.date(2010, 1, 1)).unit_id == "new"


def test_reversed_validity_is_refused():
    units = UNITS_HEADER + FINANCE + "audit-bureau,taizhou,市审计局,x,x,government_department,,2010-01-01,2009-12-31,\n"
    assert _error(units) == "sources/units.csv:3: valid_from 2010-01-01 is later than valid_to 2009-12-31"
    aliases = ALIASES_HEADER + "市财政,finance-bureau,,,short\n" + "财政局,finance-bureau,2008-05-02,2008-05-01,x\n"
    assert _error(UNITS_HEADER + FINANCE, aliases) == \
        "sources/unit_aliases.csv:3: valid_from 2008-05-02 is later than valid_to 2008-05-01"


def test_one_alias_for_two_units_with_overlapping_validity_is_refused():
    aliases = (ALIASES_HEADER + "财政,finance-bureau,,2009-12-31,short\n" + "市审计,audit-bureau,,,short\n"
               + "财政,audit-bureau,2009-06-01,,misread\n")
    assert _error(UNITS_HEADER + FINANCE + AUDIT, aliases) == (
        "sources/unit_aliases.csv:4: alias 财政 maps to audit-bureau and, on line 2, to finance-bureau, and "
        "their validity periods overlap; give them disjoint valid_from/valid_to")
    disjoint = aliases.replace("2009-06-01", "2010-01-01")
    registry = UnitRegistry.from_csv(UNITS_HEADER + FINANCE + AUDIT, disjoint)
    assert registry.resolve("财政", dt.date(2010, 1, 1)).unit_id == "audit-bureau"
    assert registry.resolve("财政", dt.date(2009, 1, 1)).unit_id == "finance-bureau"


@pytest.mark.parametrize("units, expected", [
    (UNITS_HEADER.replace("name,", "", 1) + FINANCE.replace("市财政局,", "", 1),
     "sources/units.csv:1: header lacks column(s) name; "
     "expected unit_id,jurisdiction,name,full_name,name_en,category,parent_id,valid_from,valid_to,note"),
    (UNITS_HEADER.replace("valid_to", "vaild_to") + FINANCE,
     "sources/units.csv:1: header lacks column(s) valid_to and has unknown column(s) vaild_to; "
     "expected unit_id,jurisdiction,name,full_name,name_en,category,parent_id,valid_from,valid_to,note"),
    ("", "sources/units.csv:1: has no header line"),
    (UNITS_HEADER + AUDIT + FINANCE.replace("市财政局", ""), "sources/units.csv:3: name is empty"),
    (UNITS_HEADER + FINANCE + AUDIT.replace(",,,,", ",,,"), "sources/units.csv:3: wrong number of fields (expected 10)"),
    (UNITS_HEADER + FINANCE.replace("government_department", "bureau"),
     "sources/units.csv:2: category 'bureau' is not one of party_organ, government, government_department, "
     "peoples_congress, cppcc, court, procuratorate, peoples_organisation, military_organ, "
     "central_or_provincial_body, collective"),
    (UNITS_HEADER + FINANCE + FINANCE, "sources/units.csv:3: unit_id finance-bureau repeats line 2"),
    (UNITS_HEADER + FINANCE + AUDIT.replace("department,,", "department,nobody,"),
     "sources/units.csv:3: parent_id nobody is no unit_id of this file"),
    (UNITS_HEADER + FINANCE.replace(",,,,", ",,2008-13-01,,"), "sources/units.csv:2: not an ISO date: '2008-13-01'"),
])
def test_malformed_units_file(units, expected):
    assert _error(units) == expected


def test_an_empty_alias_is_a_line_not_a_type_error():
    aliases = ALIASES_HEADER + "市财政,finance-bureau,,,short\n" + '" ",finance-bureau,,,blank\n'
    assert _error(UNITS_HEADER + FINANCE, aliases) == "sources/unit_aliases.csv:3: alias is empty"


def test_a_quoted_multi_line_note_keeps_later_line_numbers_right():
    units = UNITS_HEADER + 'audit-bureau,taizhou,市审计局,x,x,government_department,,,,"two\nlines"\n' + \
        FINANCE.replace("市财政局", "")
    assert _error(units) == "sources/units.csv:4: name is empty"


def test_extract_names_the_registry_path(tmp_path):
    units = tmp_path / "units.csv"
    aliases = tmp_path / "unit_aliases.csv"
    units.write_text(UNITS_HEADER.replace(",name,", ",") + "x\n", encoding="utf-8")
    aliases.write_text(ALIASES_HEADER, encoding="utf-8")
    registry = {path.name: SourceFile(path, path.read_bytes()) for path in (units, aliases)}
    with pytest.raises(PlanDataError) as caught:
        extract([SourceFile(NOTICE, NOTICE.read_bytes())], registry)
    assert str(caught.value).startswith(f"{units}:1: header lacks column(s) name;")


def test_the_bundled_registry_passes_every_check():
    sources = Path(__file__).resolve().parent.parent / "sources"
    registry = UnitRegistry.from_csv((sources / "units.csv").read_text(encoding="utf-8"),
                                     (sources / "unit_aliases.csv").read_text(encoding="utf-8"))
    assert len(registry.units) == 121 and len(registry.aliases) == 172
