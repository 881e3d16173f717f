"""DCAT-AP 3 description of a release (dcat.ttl, dcat.jsonld), made with rdflib.

Every node has an IRI (no blank nodes), so the serialisations are the same bytes for the same
release; the JSON-LD context is written inline, so no reader needs to fetch one.
"""
from __future__ import annotations

import json
import re

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS

from pipeline.site.release_files import ReleaseFile

SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "spdx": SPDX, "adms": ADMS, "vcard": VCARD,
            "locn": LOCN, "dcatap": DCATAP, "skos": SKOS, "owl": OWL, "xsd": XSD}
THEME = URIRef(EU + "data-theme/GOVE")  # government and public sector
LICENCE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")


# Labels of the controlled-vocabulary terms used. They are typed and labelled here because a
# reader (and range.ttl) cannot check their classes without loading the EU vocabularies.
_VOCABULARY_LABELS = {
    EU + "data-theme": (SKOS.ConceptScheme, "Data theme"),
    str(THEME): (SKOS.Concept, "Government and public sector"),
    EU + "planned-availability/STABLE": (SKOS.Concept, "stable"),
    str(LICENCE_TYPE): (SKOS.Concept, "Attribution"),
    "http://purl.org/adms/publishertype/NonProfitOrganisation": (SKOS.Concept, "Non-profit organisation"),
    EU + "language/ZHO": (DCTERMS.LinguisticSystem, "Chinese"),
}


def _vocabulary(graph: Graph) -> None:
    """Type each vocabulary term the graph uses; concepts get a label (DCAT-AP's Category shape)."""
    used = set(graph.objects())
    for term, (kind, label) in _VOCABULARY_LABELS.items():
        if URIRef(term) in used:
            graph.add((URIRef(term), RDF.type, kind))
            graph.add((URIRef(term), DCTERMS.title if kind == SKOS.ConceptScheme else SKOS.prefLabel,
                       Literal(label, lang="en")))
    for subject, predicate, obj in list(graph):
        if predicate == DCTERMS.format:
            graph.add((obj, RDF.type, DCTERMS.MediaTypeOrExtent))
        elif predicate == DCAT.mediaType:
            graph.add((obj, RDF.type, DCTERMS.MediaType))
        elif predicate in (FOAF.homepage, DCAT.landingPage):
            graph.add((obj, RDF.type, FOAF.Document))


def _fragment(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path)


def release_graph(descriptor: dict, documents: list[dict], files: list[ReleaseFile], *, base_url: str,
                  release_url: str, release_label: str, description: str, portal: dict, creator: str,
                  previous_url: str | None = None) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    add = graph.add
    catalogue, dataset = URIRef(base_url + "#catalogue"), URIRef(release_url)
    publisher, author = URIRef(base_url + "#publisher"), URIRef(base_url + "#creator")
    contact = URIRef(base_url + "#contact")
    licence_info = (descriptor.get("licenses") or [{}])[0]
    licence = URIRef(licence_info["path"]) if licence_info.get("path") else None
    language = URIRef(portal["language"])

    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, FOAF.name, Literal(portal["publisher"]["name"])))
    add((publisher, DCTERMS.type, URIRef(portal["publisher"]["type"])))
    add((author, RDF.type, FOAF.Agent))
    add((author, FOAF.name, Literal(creator)))
    add((author, DCTERMS.type, URIRef(portal["publisher"]["type"])))
    add((contact, RDF.type, VCARD.Organization))
    add((contact, RDF.type, VCARD.Kind))
    add((contact, VCARD.fn, Literal(portal["publisher"]["name"])))
    add((contact, VCARD.hasURL, URIRef(base_url)))
    if licence is not None:
        add((licence, RDF.type, DCTERMS.LicenseDocument))
        add((licence, DCTERMS.type, LICENCE_TYPE))
        if licence_info.get("title"):
            add((licence, DCTERMS.title, Literal(licence_info["title"])))

    add((catalogue, RDF.type, DCAT.Catalog))
    add((catalogue, DCTERMS.title, Literal("plandata releases", lang="en")))
    add((catalogue, DCTERMS.description, Literal(
        "Every release of the plandata datasets: structured tasks and unit assignments of Chinese plan notices.",
        lang="en")))
    add((catalogue, DCTERMS.publisher, publisher))
    add((catalogue, DCTERMS.language, language))
    add((catalogue, FOAF.homepage, URIRef(base_url + "index.html")))
    add((catalogue, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
    add((catalogue, DCAT.dataset, dataset))
    if licence is not None:
        add((catalogue, DCTERMS.license, licence))

    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal(descriptor["title"], lang="en")))
    if descriptor.get("title_zh"):
        add((dataset, DCTERMS.title, Literal(descriptor["title_zh"], lang="zh")))
    add((dataset, DCTERMS.description, Literal(description, lang="en")))
    add((dataset, DCTERMS.identifier, Literal(descriptor["version"])))
    add((dataset, URIRef(str(DCAT) + "version"), Literal(release_label)))  # DCAT 3, not in rdflib's DCAT 2 terms
    add((dataset, DCTERMS.publisher, publisher))
    add((dataset, DCTERMS.creator, author))
    add((dataset, DCAT.contactPoint, contact))
    add((dataset, DCTERMS.language, language))
    add((dataset, DCAT.theme, THEME))
    add((dataset, DCAT.landingPage, URIRef(release_url + "index.html")))
    for keyword in descriptor.get("keywords", []):
        add((dataset, DCAT.keyword, Literal(keyword)))
    if previous_url:
        add((dataset, URIRef(str(DCAT) + "previousVersion"), URIRef(previous_url)))  # DCAT 3
    _period(graph, dataset, release_url, documents)
    place = URIRef(base_url + "#spatial")
    add((place, RDF.type, DCTERMS.Location))
    add((place, LOCN.geographicName, Literal(portal["spatial"]["name"])))
    add((dataset, DCTERMS.spatial, place))
    add((catalogue, DCTERMS.spatial, place))

    for file in files:
        _distribution(graph, dataset, file, release_url, publisher, licence)
    _vocabulary(graph)
    return graph


def _period(graph: Graph, dataset: URIRef, release_url: str, documents: list[dict]) -> None:
    starts = [row["period_start"] for row in documents if row.get("period_start")]
    ends = [row["period_end"] for row in documents if row.get("period_end")]
    if not (starts and ends):
        return
    period = URIRef(release_url + "#period")
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(f"{min(starts)}-01-01", datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(f"{max(ends)}-12-31", datatype=XSD.date)))
    graph.add((dataset, DCTERMS.temporal, period))


def _distribution(graph: Graph, dataset: URIRef, file: ReleaseFile, release_url: str,
                  publisher: URIRef, licence: URIRef | None) -> None:
    add = graph.add
    node = URIRef(release_url + "#dist-" + _fragment(file.path))
    url = URIRef(release_url + file.path)
    add((dataset, DCAT.distribution, node))
    add((node, RDF.type, DCAT.Distribution))
    add((node, DCTERMS.title, Literal(file.path)))
    add((node, DCTERMS.description, Literal(
        (f"Table {file.table}, " if file.table else "") + f"{file.format}: {file.purpose}.", lang="en")))
    add((node, DCAT.accessURL, url))
    add((node, DCAT.downloadURL, url))
    add((node, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
    add((node, DCTERMS.format, URIRef(EU + "file-type/" + file.file_type)))
    if file.media_type:
        add((node, DCAT.mediaType, URIRef(IANA + file.media_type)))
    add((node, DCATAP.availability, URIRef(EU + "planned-availability/STABLE")))
    add((node, DCTERMS.publisher, publisher))
    if licence is not None:
        add((node, DCTERMS.license, licence))
    if file.byte_stable:
        checksum = URIRef(release_url + "#sha256-" + _fragment(file.path))
        add((node, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def jsonld(graph: Graph) -> str:
    """JSON-LD with the context inline and the nodes sorted by @id, so the bytes never vary."""
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    data = json.loads(graph.serialize(format="json-ld", context=context))
    nodes = data.get("@graph", [data])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    document = {"@context": context, "@graph": sorted(nodes, key=lambda node: node.get("@id", ""))}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
