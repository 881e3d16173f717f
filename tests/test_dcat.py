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
    # The README lists these: no catalogue dates (a build has no clock) and no coordinates for the place.
    flagged = shacl_results(graph, "shapes_recommended.ttl")
    assert set(flagged) == {"Warning"}
    assert sorted(path.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for path in flagged["Warning"]) == [
        "bbox", "centroid", "issued", "modified"]


def test_dcat_class_ranges_hold_with_the_vocabulary_terms_typed(graph):
    assert shacl_results(graph, "range.ttl") == {}


def test_one_distribution_per_data_file_with_access_url_checksum_licence_and_publisher(graph, release):
    dataset = URIRef(f"https://example.org/plandata/releases/{release.name}/")
    distributions = list(graph.objects(dataset, namespace.DCAT.distribution))
    urls = {str(graph.value(d, namespace.DCAT.accessURL)).rsplit(f"{release.name}/", 1)[-1]: d for d in distributions}
    assert len(urls) == len(distributions)
    expected = {p.relative_to(release).as_posix() for folder in ("csv", "excel", "json", "parquet", "downloads")
                for p in (release / folder).rglob("*") if p.is_file()}  # one file per table and format, the zips
    expected |= {"plan.duckdb", "views.sql", "changes.csv", "changes.json", "datapackage.json", "quality.md"}
    assert set(urls) == expected
    for path, node in urls.items():
        assert graph.value(node, namespace.DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert graph.value(node, namespace.DCTERMS.publisher) is not None
        assert int(graph.value(node, namespace.DCAT.byteSize)) == (release / path).stat().st_size
        checksum = graph.value(node, SPDX.checksum)
        if path == "plan.duckdb":
            assert checksum is None  # not byte-stable; SHA256SUMS has it
            continue
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == sha256_file(release / path), path


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
