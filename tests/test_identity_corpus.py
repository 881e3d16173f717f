"""Issue 17's acceptance for the release's identity: the seven-notice release (the bundled notice and the
six corpus notices) built without a settings file, and with one naming another publisher, title and place.

Without the file, the page, datapackage.json, both DCAT files and the citation describe no single
notice as the whole, and their counts are plan.duckdb's. With it, the file's words reach all five."""
from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest
from lxml import html
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from conftest import copy_sources, shared_dir
from pipeline.orchestration.run import run_build

pytestmark = pytest.mark.corpus

# What names the bundled notice alone: its place, its issuer's city, its plan's own title.
ONE_NOTICE = ("台州", "Taizhou", "惩治和预防腐败", "anti-corruption", "2008–2012")
SETTINGS = {"publisher": "Zhejiang Policy Lab 浙江政策实验室", "title": "State Council plan notices, a sample",
            "title_zh": "国务院规划通知样本", "place": "中华人民共和国 / People's Republic of China",
            "contact": {"email": "lab@example.edu"}}


def _build(tmp_path_factory, settings: dict | None):
    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    for path in sorted((shared_dir() / "corpus").glob("0*.txt")):
        shutil.copy(path, sources / path.name)
    if settings is not None:
        (sources / "plandata.json").write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
    return run_build(sources, tmp_path_factory.mktemp("outputs")).release_dir


@pytest.fixture(scope="module")
def neutral(tmp_path_factory):
    return _build(tmp_path_factory, None)


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    return _build(tmp_path_factory, SETTINGS)


def _identity(release) -> dict[str, str]:
    """Each of the five places a release states its identity, as text."""
    page = html.fromstring((release / "index.html").read_bytes())
    about = " ".join(page.xpath("//title//text() | //h1//text() | //*[@class='subtitle']//text() "
                                "| //section[@id='about']/p[@class='description']//text() "
                                "| //section[@id='about']/dl//text()"))
    return {"page": about,
            "datapackage": json.dumps({key: value for key, value in json.loads(
                (release / "datapackage.json").read_text(encoding="utf-8")).items()
                if key not in ("sources", "resources")}, ensure_ascii=False),
            "dcat.ttl": (release / "dcat.ttl").read_text(encoding="utf-8"),
            "dcat.jsonld": (release / "dcat.jsonld").read_text(encoding="utf-8"),
            "citation": page.get_element_by_id("cite-plain").text_content()
                        + page.get_element_by_id("cite-bibtex").text_content()}


def _counts(release) -> dict[str, int]:
    with duckdb.connect(str(release / "plan.duckdb"), read_only=True) as con:
        return {"notices": con.execute("SELECT count(*) FROM documents").fetchone()[0],
                "tasks": con.execute("SELECT count(*) FROM tasks").fetchone()[0],
                "assignments": con.execute("SELECT count(*) FROM assignments").fetchone()[0],
                "units": con.execute("SELECT count(DISTINCT coalesce(unit_id, unit_label)) FROM assignments").fetchone()[0]}


def _dataset(release) -> tuple[Graph, URIRef]:
    return Graph().parse(release / "dcat.ttl", format="turtle"), URIRef(f"https://example.org/plandata/releases/{release.name}/")


def test_without_settings_no_single_notice_is_described_as_the_whole(neutral):
    # Issuers are listed among the others (中共台州市委 issued one of the seven), never as the title.
    for where, text in _identity(neutral).items():
        shown = text.replace("中共台州市委", "")
        assert not [word for word in ONE_NOTICE if word in shown], where
    graph, dataset = _dataset(neutral)
    assert graph.value(dataset, DCTERMS.spatial) is None  # no place is set: none is claimed
    # Coverage over every notice: the 2008 plan's period and the 2018–2019 notices' issue years.
    period = graph.value(dataset, DCTERMS.temporal)
    assert (str(graph.value(period, DCAT.startDate)), str(graph.value(period, DCAT.endDate))) == (
        "2008-01-01", "2019-12-31")
    keywords = {str(k) for k in graph.objects(dataset, DCAT.keyword)}
    assert {"国务院", "国务院办公厅", "中共台州市委"} <= keywords


def test_without_settings_the_counts_are_those_of_plan_duckdb(neutral):
    counts = _counts(neutral)
    assert counts["notices"] == 7 and counts["tasks"] == 190  # 50 + 39 + 21 + 18 + 15 + 30 + 17
    sentence = (f"This release holds {counts['notices']} notices issued 2008–2019 by 国务院, 国务院办公厅, 中共台州市委: "
                f"{counts['tasks']} tasks and {counts['assignments']} unit assignments to {counts['units']} units.")
    identity = _identity(neutral)
    assert sentence in identity["page"]
    graph, dataset = _dataset(neutral)
    assert sentence in str(graph.value(dataset, DCTERMS.description))
    assert sentence in json.loads(identity["dcat.jsonld"]).__repr__()
    assert "(7 notices, issued 2008–2019)" in identity["citation"]
    assert re.search(r"year = \{2019\}", identity["citation"])
    jsonld = json.loads(html.fromstring((neutral / "index.html").read_bytes())
                        .xpath("//script[@type='application/ld+json']")[0].text)
    assert sentence in jsonld["description"] and jsonld["temporalCoverage"] == "2008/2019"


def test_a_settings_file_names_the_publisher_title_and_place_everywhere(named):
    for where, text in _identity(named).items():
        text = text.encode().decode("unicode_escape") if where == "dcat.jsonld" and "\\u" in text else text
        for value in (SETTINGS["title"], SETTINGS["publisher"]):
            assert value in text, (where, value)
        assert SETTINGS["title_zh"] in text, where
        if where != "citation":  # a citation names no place
            assert SETTINGS["place"] in text, where
    descriptor = json.loads((named / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["spatial"] == SETTINGS["place"] and descriptor["contact"] == SETTINGS["contact"]
    for name, kind in (("dcat.ttl", "turtle"), ("dcat.jsonld", "json-ld")):
        graph = Graph().parse(named / name, format=kind)
        dataset = URIRef(f"https://example.org/plandata/releases/{named.name}/")
        place = graph.value(dataset, DCTERMS.spatial)
        assert str(graph.value(place, URIRef("http://www.w3.org/ns/locn#geographicName"))) == SETTINGS["place"]
        publisher = graph.value(dataset, DCTERMS.publisher)
        assert graph.value(publisher, FOAF.name) == Literal(SETTINGS["publisher"])
        assert Literal(SETTINGS["title"], lang="en") in set(graph.objects(dataset, DCTERMS.title))
    jsonld = json.loads(html.fromstring((named / "index.html").read_bytes())
                        .xpath("//script[@type='application/ld+json']")[0].text)
    assert jsonld["spatialCoverage"]["name"] == SETTINGS["place"]
    assert jsonld["publisher"]["name"] == SETTINGS["publisher"]
