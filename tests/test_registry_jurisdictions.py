"""The registry per jurisdiction: a label resolves within its notice's jurisdiction plus the national units."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.publish.assemble import write_data_files
from pipeline.sources.discovery import read_sources
from conftest import NOTICE, shared_dir

TAIZHOU_2008 = dt.date(2008, 8, 11)
# Dates of the State Council texts in the shared corpus (2018-11-16 to 2019-01-12).
CORPUS_DATES = (dt.date(2018, 11, 16), dt.date(2018, 12, 30), dt.date(2019, 1, 12))

# Every central body printed in a responsibility clause （…负责） （…牵头…） （…指导） of the six corpus
# texts, typed from reading them, in the form printed.
CENTRAL_LABELS = [
    "国务院办公厅", "国家发展改革委", "发展改革委", "财政部", "农业农村部", "商务部", "工业和信息化部", "生态环境部",
    "海关总署", "市场监管总局", "人力资源社会保障部", "文化和旅游部", "住房城乡建设部", "人民银行", "自然资源部",
    "科技部", "扶贫办", "国务院扶贫办", "税务总局", "交通运输部", "银保监会", "供销合作总社", "国管局", "教育部",
    "国家卫生健康委", "卫生健康委", "国资委", "民政部", "国家统计局", "证监会", "水利部", "全国总工会", "中央宣传部",
    "国家邮政局", "邮政局", "药监局", "文物局", "国际发展合作署", "民航局", "医保局", "中央统战部",
    "中央和国家机关工委", "中央军委政治工作部", "全国工商联", "共青团中央", "全国妇联", "粮食和储备局", "广电总局",
]
# Collectives printed in those clauses: the provincial governments are registered as national
# collectives; the others only mean something relative to the notice and stay unresolved.
NATIONAL_COLLECTIVES = ["各省级人民政府", "各有关省级人民政府"]
RELATIVE_COLLECTIVES = {"各有关部门和单位", "试点城市政府"}

HEADER = "unit_id,jurisdiction,name,full_name,name_en,category,parent_id,valid_from,valid_to,note\n"
ALIASES = "alias,unit_id,valid_from,valid_to,basis\n"


@pytest.mark.parametrize("label", CENTRAL_LABELS + NATIONAL_COLLECTIVES)
def test_every_central_label_of_the_corpus_resolves(registry, label):
    for on in CORPUS_DATES:
        national = registry.resolve(label, on, jurisdiction="national")
        assert national.unit_id is not None, (label, on)
        # A city's notice sees the national units too.
        assert registry.resolve(label, on, jurisdiction="taizhou").unit_id == national.unit_id
    unit = next(u for u in registry.units if u["unit_id"] == national.unit_id)
    assert unit["jurisdiction"] == "national"


@pytest.mark.parametrize("printed, other_form", [
    ("发展改革委", "国家发展改革委"), ("卫生健康委", "国家卫生健康委"), ("国务院扶贫办", "扶贫办"), ("邮政局", "国家邮政局"),
    ("国家发展和改革委员会", "国家发展改革委"), ("国家市场监督管理总局", "市场监管总局"),
    ("中国银行保险监督管理委员会", "银保监会"),
])
def test_short_and_full_forms_are_one_unit(registry, printed, other_form):
    on = CORPUS_DATES[0]
    resolved = registry.resolve(printed, on, "national")
    assert resolved.unit_id == registry.resolve(other_form, on, "national").unit_id
    assert resolved.via_alias is not None


def test_the_banking_and_insurance_commission_resolves_only_while_it_existed(registry):
    assert registry.resolve("银保监会", dt.date(2018, 4, 8), "national").unit_id == "cn-banking-insurance-commission"
    assert registry.resolve("中国银行保险监督管理委员会", dt.date(2023, 5, 18), "national").unit_id is None


@pytest.mark.corpus
def test_the_central_label_list_covers_every_clause_of_the_corpus():
    """Reads the clauses of the corpus texts and checks that the typed lists above name every unit in them."""
    clause = re.compile(r"[（(]([^（）()]*(?:负责|牵头|参与|指导)[^（）()]*)[）)]")
    found: set[str] = set()
    for path in sorted((shared_dir() / "corpus").glob("*.txt")):
        for body in clause.findall(path.read_text(encoding="utf-8")):
            body = re.split(r"。|，排在第一位", body)[0]  # a note or convention follows
            for group in re.split(r"[，,]", body):
                group = re.sub(r"(会同有关部门)?(按职责分工)?(牵头负责|负责落实|负责|牵头|参与|指导)$", "", group)
                for label in group.split("、"):
                    label = re.sub(r"(等有关部门和单位|等有关部门|等)$", "", label)
                    if "等和" in label:
                        label, collective = label.split("等和")
                        found.add(collective)
                    if label:
                        found.add(label)
    assert found == set(CENTRAL_LABELS) | set(NATIONAL_COLLECTIVES) | RELATIVE_COLLECTIVES


@pytest.mark.parametrize("issuer, jurisdiction", [
    ("中共台州市委", "taizhou"), ("台州市委", "taizhou"), ("台州市人民政府", "taizhou"),
    ("国务院", "national"), ("国务院办公厅", "national"),
    ("中共台州市委 台州市人民政府", "taizhou"),  # joint issuers that agree
    ("中共台州市委　国务院", None),  # that disagree
    ("中共台州市委、广州市人民政府", None),  # one of them unknown
    ("广州市人民政府", None), ("", None), (None, None),
])
def test_jurisdiction_of_an_issuer(registry, issuer, jurisdiction):
    assert registry.jurisdiction_of(issuer) == jurisdiction


def test_a_label_resolves_only_in_its_own_jurisdiction_and_the_national_one(registry):
    assert registry.resolve("市财政局", TAIZHOU_2008, "taizhou").unit_id == "finance-bureau"
    assert registry.resolve("市财政局", TAIZHOU_2008, "guangzhou").unit_id is None  # never Taizhou's
    assert registry.resolve("市财政局", TAIZHOU_2008, "national").unit_id is None
    assert registry.resolve("市外贸局", TAIZHOU_2008, "guangzhou").unit_id is None  # nor through an alias
    assert registry.resolve("财政部", TAIZHOU_2008, "guangzhou").unit_id == "cn-finance-ministry"
    assert registry.resolve("市财政局", TAIZHOU_2008).unit_id == "finance-bureau"  # no jurisdiction: as before


def _registry(units: str, aliases: str = ALIASES) -> UnitRegistry:
    return UnitRegistry.from_csv(HEADER + units, aliases, "units.csv", "unit_aliases.csv")


def test_the_own_jurisdiction_comes_before_the_national_one():
    registry = _registry("stats-national,national,统计局,国家统计局,x,government_department,,,,\n"
                         "stats-taizhou,taizhou,统计局,台州市统计局,x,government_department,,,,\n"
                         "stats-wenzhou,wenzhou,统计所,温州市统计局,x,government_department,,,,\n",
                         ALIASES + "统计局,stats-wenzhou,,,short\n")
    assert registry.resolve("统计局", None, "taizhou").unit_id == "stats-taizhou"
    assert registry.resolve("统计局", None, "wenzhou").unit_id == "stats-wenzhou"  # its alias before national
    assert registry.resolve("统计局", None, "national").unit_id == "stats-national"
    assert registry.resolve("统计局", None, "ningbo").unit_id == "stats-national"
    assert registry.resolve("统计局", None).unit_id == "stats-national"  # no jurisdiction: first row, as before


def test_uniqueness_is_per_jurisdiction():
    units = ("fin-a,taizhou,市财政局,x,x,government_department,,,,\n"
             "fin-b,wenzhou,市财政局,x,x,government_department,,,,\n")
    aliases = ALIASES + "财政局,fin-a,,,short\n财政局,fin-b,,,short\n"
    registry = _registry(units, aliases)  # one name, one alias text, in two jurisdictions: allowed
    assert registry.resolve("财政局", None, "wenzhou").unit_id == "fin-b"
    assert registry.resolve("市财政局", None, "taizhou").unit_id == "fin-a"
    with pytest.raises(PlanDataError, match=r"^units.csv:3: unit name 市财政局 is also fin-a's \(line 2\) "
                                            r"in jurisdiction taizhou, and their validity periods overlap"):
        _registry(units.replace("wenzhou", "taizhou"))
    # In one jurisdiction, the two units in turn (a rename); the alias text must not point at both at once.
    in_turn = ("fin-a,taizhou,市财政局,x,x,government_department,,,2009-12-31,\n"
               "fin-b,taizhou,市财政局,x,x,government_department,,2010-01-01,,\n")
    assert _registry(in_turn).resolve("市财政局", dt.date(2010, 1, 1), "taizhou").unit_id == "fin-b"
    with pytest.raises(PlanDataError, match=r"^unit_aliases.csv:3: alias 财政局 maps to fin-b and, on line 2, "
                                            r"to fin-a, and their validity periods overlap"):
        _registry(in_turn, aliases)


def test_a_unit_without_jurisdiction_is_refused():
    with pytest.raises(PlanDataError, match=r"^units.csv:2: jurisdiction is empty$"):
        _registry("fin,,市财政局,x,x,government_department,,,,\n")


def test_without_registry_files_every_unit_is_unresolved(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(NOTICE, sources / NOTICE.name)
    notices, registry_files = read_sources(sources)
    assert registry_files == {}
    tables = extract(notices, registry_files)
    assert tables["units"].num_rows == tables["unit_aliases"].num_rows == 0
    assignments = tables["assignments"]
    assert assignments.num_rows == 533 and assignments.column("unit_id").null_count == 533
    kinds = tables["findings"].column("kind").to_pylist()
    assert kinds.count("unresolved_unit") == 533 and "alias_used" not in kinds
    descriptor = write_data_files(tmp_path / "release", tables)
    assert [source["path"] for source in descriptor["sources"]] == [f"sources/{NOTICE.name}"]
    assert UnitRegistry.from_csv(None, None).jurisdiction_of("中共台州市委") is None


def test_an_issuer_named_in_two_jurisdictions_gives_none():
    registry = _registry("gov-a,taizhou,市政府,台州市人民政府,x,government,,,,\n"
                         "gov-b,wenzhou,市政府,温州市人民政府,x,government,,,,\n",
                         ALIASES + "台州市人民政府,gov-a,,,full\n")
    assert registry.jurisdiction_of("市政府") is None
    assert registry.jurisdiction_of("台州市人民政府") == "taizhou"
