"""A notice's metadata sidecar (<notice>.meta.json): id, display title, source URL, licence, jurisdiction."""
from __future__ import annotations

import json

import pytest

from conftest import NOTICE, copy_sources
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.sources.discovery import read_sources

META = {"id": "tz-2008", "title": "台州惩防体系实施细则（2008—2012）", "source_url": "https://www.zjtz.gov.cn/x.html",
        "license": "CC-BY-4.0", "jurisdiction": "national"}


def documents_with(tmp_path, meta: dict | str) -> dict:
    sources = copy_sources(tmp_path / "sources")
    sidecar = sources / NOTICE.name.replace(".txt", ".meta.json")
    sidecar.write_text(meta if isinstance(meta, str) else json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    tables = extract(*read_sources(sources))
    return tables


def test_sidecar_fields_reach_the_documents_row(tmp_path):
    tables = documents_with(tmp_path, META)
    [doc] = tables["documents"].to_pylist()
    assert doc["doc_id"] == "tz-2008"
    assert doc["title"] == "台州市建立健全惩治和预防腐败体系2008—2012年实施细则"  # as printed
    assert (doc["display_title"], doc["source_url"], doc["license"]) == (META["title"], META["source_url"],
                                                                         "CC-BY-4.0")
    assert set(tables["tasks"].column("doc_id").to_pylist()) == {"tz-2008"}


def test_the_sidecar_jurisdiction_overrides_the_issuer(tmp_path):
    """Declared national, the Taizhou notice's city units (市纪委) no longer resolve; the issuer said taizhou."""
    tables = documents_with(tmp_path, META)
    [doc] = tables["documents"].to_pylist()
    assert doc["jurisdiction"] == "national"
    lead = [row for row in tables["assignments"].to_pylist() if row["unit_label"] == "市纪委"]
    assert lead and all(row["unit_id"] is None for row in lead)


def test_without_a_sidecar_the_columns_are_empty(tmp_path):
    [doc] = extract(*read_sources(copy_sources(tmp_path / "sources")))["documents"].to_pylist()
    assert doc["doc_id"] == "taizhou-anticorruption-2008-2012" and doc["jurisdiction"] == "taizhou"
    assert (doc["display_title"], doc["source_url"], doc["license"]) == (None, None, None)


@pytest.mark.parametrize("meta, message", [
    ('{"id": "x",\n "licence": "CC0"}', "metadata sidecar has unknown key(s) 'licence'"),
    ('{"id": "X Y"}', "metadata sidecar's id must be a lowercase ASCII slug"),
    ('{"source_url": "javascript:alert(1)"}', "metadata sidecar's source_url must be an http(s) URL"),
    ('{"id": "x",\n', "metadata sidecar is not valid JSON"),
    ('["x"]', "metadata sidecar must be a JSON object"),
])
def test_a_bad_sidecar_is_one_line_naming_it(tmp_path, meta, message):
    with pytest.raises(PlanDataError) as raised:
        documents_with(tmp_path, meta)
    text = str(raised.value)
    assert text.startswith(NOTICE.name.replace(".txt", ".meta.json")) and message in text and "\n" not in text


def test_two_notices_given_one_id_are_refused_naming_both(tmp_path):
    sources = copy_sources(tmp_path / "sources")
    (sources / "copy.txt").write_bytes(NOTICE.read_bytes())
    (sources / "copy.meta.json").write_text('{"id": "taizhou-anticorruption-2008-2012"}', encoding="utf-8")
    with pytest.raises(PlanDataError) as raised:
        extract(*read_sources(sources))
    assert str(raised.value).startswith(f"{NOTICE.name}: gives the same doc_id 'taizhou-anticorruption-2008-2012' "
                                        "as copy.txt")


def test_the_sensor_watches_sidecars(tmp_path):
    from pipeline.orchestration.automation import source_versions

    sources = copy_sources(tmp_path / "sources")
    before, _ = source_versions(sources)
    (sources / NOTICE.name.replace(".txt", ".meta.json")).write_text('{"license": "CC0-1.0"}', encoding="utf-8")
    after, _ = source_versions(sources)
    assert set(after) - set(before) == {NOTICE.name.replace(".txt", ".meta.json")}
