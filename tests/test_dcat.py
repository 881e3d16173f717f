"""DCAT-AP 3 description of a release: conformance to the official SHACL shapes, content, determinism."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib import namespace

from pipeline.publish.checksums import sha256_file
from pipeline.site.dcat import SPDX
from tests.conftest import ROOT, shared_dir

pyshacl = pytest.importorskip("pyshacl")


@pytest.fixture(scope="module")
def release(built_release) -> Path:
    return (built_release / "latest").resolve()


@pytest.fixture(scope="module")
def graph(release) -> Graph:
    return Graph().parse(release / "dcat.ttl", format="turtle")


def shacl_results(data: Graph, shapes_file: str) -> dict[str, list[str]]:
    shapes = Graph().parse(shared_dir() / "standards" / "dcat-ap-3.0.1" / shapes_file, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    results: dict[str, list[str]] = {}
    for result in report.subjects(RDF.type, namespace.SH.ValidationResult):
        severity = str(report.value(result, namespace.SH.resultSeverity)).rsplit("#", 1)[-1]
        results.setdefault(severity, []).append(str(report.value(result, namespace.SH.resultPath)))
    return results


def test_dcat_conforms_to_the_dcat_ap_3_shapes_with_no_violation(graph):
    assert shacl_results(graph, "shapes.ttl") == {}


def test_dcat_recommended_shapes_flag_only_what_the_readme_says(graph):
    # The README lists these: no coordinates for the place, no file of the series' own (its releases
    # have them). A release has no dates (a build has no clock); the root catalogue has them.
    flagged = shacl_results(graph, "shapes_recommended.ttl")
    assert set(flagged) == {"Warning"}
    assert sorted(path.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for path in flagged["Warning"]) == [
        "bbox", "centroid", "distribution"]


def test_dcat_class_ranges_hold_with_the_vocabulary_terms_typed(graph):
    assert shacl_results(graph, "range.ttl") == {}


def test_one_distribution_per_table_and_format_with_access_url_checksum_licence_and_publisher(graph, release):
    from pipeline.schema import table_specs

    dataset = URIRef(f"https://example.org/plandata/releases/{release.name}/")
    distributions = list(graph.objects(dataset, namespace.DCAT.distribution))
    urls = {str(graph.value(d, namespace.DCAT.accessURL)).rsplit(f"{release.name}/", 1)[-1]: d for d in distributions}
    assert len(urls) == len(distributions)
    # The whole table's file in each format (the release layout of issue 17 §2), never a shard's file, and the zips.
    expected = {f"{folder}/{table}.{'csv' if folder == 'excel' else folder}"
                for folder in ("csv", "excel", "json", "parquet") for table in table_specs()}
    assert len(expected) == 4 * len(table_specs())
    expected |= {f"downloads/{folder}.zip" for folder in ("csv", "excel", "json", "parquet")}
    expected |= {"plan.duckdb", "views.sql", "changes.csv", "changes.json", "datapackage.json", "quality.md"}
    assert set(urls) == expected
    for path, node in urls.items():
        assert graph.value(node, namespace.DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert graph.value(node, namespace.DCTERMS.publisher) is not None
        if not (release / path).is_file():  # a table kept per shard until the one-file layout lands
            assert graph.value(node, namespace.DCAT.byteSize) is None
            continue
        assert int(graph.value(node, namespace.DCAT.byteSize)) == (release / path).stat().st_size
        checksum = graph.value(node, SPDX.checksum)
        if path == "plan.duckdb":
            assert checksum is None  # not byte-stable; SHA256SUMS has it
            continue
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == sha256_file(release / path), path


def test_a_release_is_a_dataset_of_the_series_without_dates(graph, release):
    dataset = URIRef(f"https://example.org/plandata/releases/{release.name}/")
    series = URIRef("https://example.org/plandata/#series")
    assert graph.value(dataset, URIRef(str(namespace.DCAT) + "inSeries")) == series
    assert (series, RDF.type, URIRef(str(namespace.DCAT) + "DatasetSeries")) in graph
    assert not list(graph.triples((None, namespace.DCTERMS.issued, None)))
    assert not list(graph.triples((None, namespace.DCTERMS.modified, None)))
    assert not list(graph.subjects(RDF.type, namespace.DCAT.Catalog))  # the root catalogue lists the releases


def test_the_release_page_links_both_dcat_files_as_alternates(release):
    from lxml import html

    head = html.fromstring((release / "index.html").read_bytes()).find("head")
    links = {(link.get("type"), link.get("href")) for link in head.iter("link") if link.get("rel") == "alternate"}
    assert links == {("text/turtle", "dcat.ttl"), ("application/ld+json", "dcat.jsonld")}


def test_jsonld_has_its_context_inline_and_says_the_same_as_the_turtle(graph, release, monkeypatch):
    import urllib.request

    def offline(*args, **kwargs):
        raise AssertionError("a JSON-LD context was fetched")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    document = json.loads((release / "dcat.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)
    assert isomorphic(Graph().parse(release / "dcat.jsonld", format="json-ld"), graph)


@pytest.mark.subprocess
def test_dcat_files_are_the_same_bytes_under_any_hash_seed(release, tmp_path):
    script = ("import json, sys; from pathlib import Path\n"
              "from pipeline.publish.tables import read_tables as read_release_tables\n"
              "from pipeline.site.build import write_release_site\n"
              "r = Path(sys.argv[1])\n"
              "write_release_site(r, read_release_tables(r), json.loads((r / 'datapackage.json').read_text()),"
              " json.loads((r / 'changes.json').read_text()), '0001-abcdef12', 'https://example.org/plandata/')\n")
    digests = []
    for seed in ("1", "2"):
        copy = tmp_path / seed
        import shutil
        shutil.copytree(release, copy)
        subprocess.run([sys.executable, "-c", script, str(copy)], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        digests.append([sha256_file(copy / name) for name in ("dcat.ttl", "dcat.jsonld", "index.html")])
    assert digests[0] == digests[1]


# The root catalogue: outputs/catalog.ttl and .jsonld, the series of every release.

@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> Path:
    """Two releases of one sources folder: the bundled notice, then with another notice added."""
    from conftest import NOTICE, copy_sources
    from pipeline.orchestration.run import run_build

    sources = copy_sources(tmp_path_factory.mktemp("sources"))
    (sources / "plandata.json").write_text(json.dumps({"publisher": "Lishui open data office",
                                                       "place": "丽水市 / Lishui"}), encoding="utf-8")
    outputs = tmp_path_factory.mktemp("outputs")
    run_build(sources, outputs)
    text = NOTICE.read_text(encoding="utf-8").replace("台州市", "丽水市")
    (sources / "lishui.txt").write_text(text, encoding="utf-8")
    run_build(sources, outputs)
    return outputs


@pytest.mark.parametrize("name", ["catalog.ttl", "catalog.jsonld"])
def test_the_root_catalogue_has_no_violation_and_only_the_listed_warnings(two_releases, name):
    root = Graph().parse(two_releases / name, format="turtle" if name.endswith(".ttl") else "json-ld")
    assert shacl_results(root, "shapes.ttl") == {}
    assert shacl_results(root, "range.ttl") == {}
    flagged = shacl_results(root, "shapes_recommended.ttl")
    # README: the place has no coordinates; the series itself has no file (its releases have them).
    assert sorted(path.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for path in flagged.pop("Warning")) == [
        "bbox", "centroid", "distribution"]
    assert flagged == {}
    assert "Lishui open data office" in {str(o) for o in root.objects(None, namespace.FOAF.name)}


def test_the_root_catalogue_lists_every_release_in_the_series_with_the_index_dates(two_releases):
    index = json.loads((two_releases / "releases" / "index.json").read_text(encoding="utf-8"))
    root = Graph().parse(two_releases / "catalog.ttl", format="turtle")
    catalogue = URIRef("https://example.org/plandata/#catalogue")
    series = URIRef("https://example.org/plandata/#series")
    listed = set(root.objects(catalogue, namespace.DCAT.dataset))
    releases = [URIRef(f"https://example.org/plandata/releases/{e['release_id']}/") for e in index["releases"]]
    assert len(releases) == 2 and listed == {series, *releases}
    for entry, node in zip(index["releases"], releases):
        assert root.value(node, URIRef(str(namespace.DCAT) + "inSeries")) == series
        assert str(root.value(node, namespace.DCTERMS.issued)) == entry["built_at"]
        # its own description came along: its distributions
        assert len(list(root.objects(node, namespace.DCAT.distribution))) > 10
    stamps = sorted(e["built_at"] for e in index["releases"])
    assert str(root.value(series, namespace.DCTERMS.issued)) == stamps[0]
    assert str(root.value(catalogue, namespace.DCTERMS.modified)) == stamps[-1]
    assert isomorphic(Graph().parse(two_releases / "catalog.jsonld", format="json-ld"), root)


def test_the_outputs_page_links_the_root_catalogue_as_alternates(two_releases):
    from lxml import html

    head = html.fromstring((two_releases / "index.html").read_bytes()).find("head")
    links = {(link.get("type"), link.get("href")) for link in head.iter("link") if link.get("rel") == "alternate"}
    assert links == {("text/turtle", "catalog.ttl"), ("application/ld+json", "catalog.jsonld")}
    assert all((two_releases / name).is_file() for _, name in links)
