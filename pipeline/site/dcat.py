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

TABLE_FORMATS = ("csv", "excel", "json", "parquet")

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
PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/NonProfitOrganisation")
LANGUAGE = URIRef(EU + "language/ZHO")  # the notices' language: not a deployment setting


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
        elif predicate in (FOAF.homepage, FOAF.page, DCAT.landingPage):
            graph.add((obj, RDF.type, FOAF.Document))


def _fragment(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path)


def _graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _agents(graph: Graph, descriptor: dict, base_url: str) -> tuple[URIRef, URIRef, URIRef | None]:
    """The publisher (also the creator), its contact point and the licence, from the deployment settings
    as datapackage.json holds them."""
    add = graph.add
    publisher, contact = URIRef(base_url + "#publisher"), URIRef(base_url + "#contact")
    name = publisher_name(descriptor)
    add((publisher, RDF.type, FOAF.Agent))
    add((publisher, FOAF.name, Literal(name)))
    add((publisher, DCTERMS.type, PUBLISHER_TYPE))
    given = descriptor.get("contact") or {}
    add((contact, RDF.type, VCARD.Organization))
    add((contact, RDF.type, VCARD.Kind))
    add((contact, VCARD.fn, Literal(given.get("name") or name)))
    if given.get("email"):
        add((contact, VCARD.hasEmail, URIRef("mailto:" + given["email"].removeprefix("mailto:"))))
    add((contact, VCARD.hasURL, URIRef(given.get("url") or base_url)))
    licence_info = (descriptor.get("licenses") or [{}])[0]
    licence = URIRef(licence_info["path"]) if licence_info.get("path") else None
    if licence is not None:
        add((licence, RDF.type, DCTERMS.LicenseDocument))
        add((licence, DCTERMS.type, LICENCE_TYPE))
        if licence_info.get("title"):
            add((licence, DCTERMS.title, Literal(licence_info["title"])))
    return publisher, contact, licence


def publisher_name(descriptor: dict) -> str:
    names = [c.get("title") for c in descriptor.get("contributors", []) if "creator" in c.get("roles", [])]
    return "; ".join(n for n in names if n) or "plandata"


def _titles(graph: Graph, node: URIRef, descriptor: dict) -> None:
    graph.add((node, DCTERMS.title, Literal(descriptor["title"], lang="en")))
    if descriptor.get("title_zh"):
        graph.add((node, DCTERMS.title, Literal(descriptor["title_zh"], lang="zh")))


def _place(graph: Graph, base_url: str, descriptor: dict, *nodes: URIRef) -> None:
    if not descriptor.get("spatial"):
        return
    place = URIRef(base_url + "#spatial")
    graph.add((place, RDF.type, DCTERMS.Location))
    graph.add((place, LOCN.geographicName, Literal(descriptor["spatial"])))
    for node in nodes:
        graph.add((node, DCTERMS.spatial, place))


def _series(graph: Graph, base_url: str, descriptor: dict, publisher: URIRef, contact: URIRef,
            keywords: list[str] | None = None) -> URIRef:
    """Every release of the deployment is one dataset of this series."""
    series = URIRef(base_url + "#series")
    graph.add((series, RDF.type, URIRef(str(DCAT) + "DatasetSeries")))  # DCAT 3
    graph.add((series, RDF.type, DCAT.Dataset))  # DCAT 3's subclass, stated: no reader needs inference
    graph.add((series, DCAT.theme, THEME))
    for keyword in (descriptor.get("keywords", []) if keywords is None else keywords):
        graph.add((series, DCAT.keyword, Literal(keyword)))
    _titles(graph, series, descriptor)
    graph.add((series, DCTERMS.description, Literal(
        f"{descriptor.get('description', '').strip()} Every release of this dataset, each immutable.".strip(),
        lang="en")))
    graph.add((series, DCTERMS.publisher, publisher))
    graph.add((series, DCAT.contactPoint, contact))
    return series


def release_graph(descriptor: dict, documents: list[dict], files: list[ReleaseFile], *, base_url: str,
                  release_url: str, release_label: str, description: str, keywords: list[str] | None = None,
                  previous_url: str | None = None) -> Graph:
    """One release: a dcat:Dataset in the deployment's series, one distribution per table and format.

    ``descriptor`` is datapackage.json (its identity from the settings); ``description`` and
    ``keywords`` the ones completed from the contents. No date of the build is in it: the same
    sources give the same bytes; the root catalogue records when each release was issued."""
    graph = _graph()
    add = graph.add
    dataset = URIRef(release_url)
    publisher, contact, licence = _agents(graph, descriptor, base_url)
    keywords = descriptor.get("keywords", []) if keywords is None else keywords
    series = _series(graph, base_url, descriptor, publisher, contact, keywords)

    add((dataset, RDF.type, DCAT.Dataset))
    _titles(graph, dataset, descriptor)
    add((dataset, DCTERMS.description, Literal(description, lang="en")))
    add((dataset, DCTERMS.identifier, Literal(descriptor["version"])))
    add((dataset, URIRef(str(DCAT) + "version"), Literal(release_label)))  # DCAT 3, not in rdflib's DCAT 2 terms
    add((dataset, URIRef(str(DCAT) + "inSeries"), series))  # DCAT 3
    add((dataset, DCTERMS.publisher, publisher))
    add((dataset, DCTERMS.creator, publisher))
    add((dataset, DCAT.contactPoint, contact))
    add((dataset, DCTERMS.language, LANGUAGE))
    add((dataset, DCAT.theme, THEME))
    add((dataset, DCAT.landingPage, URIRef(release_url + "index.html")))
    for keyword in keywords:
        add((dataset, DCAT.keyword, Literal(keyword)))
    if previous_url:
        add((dataset, URIRef(str(DCAT) + "previousVersion"), URIRef(previous_url)))  # DCAT 3
    _period(graph, dataset, release_url, documents)
    period = graph.value(dataset, DCTERMS.temporal)
    if period is not None:  # the newest release holds every notice the series publishes
        add((series, DCTERMS.temporal, period))
    _place(graph, base_url, descriptor, dataset, series)

    for file in distribution_files(files):
        _distribution(graph, dataset, file, release_url, publisher, licence)
    _vocabulary(graph)
    return graph


def distribution_files(files: list[ReleaseFile]) -> list[ReleaseFile]:
    """One per table and format, at the whole table's path (``csv/tasks.csv``), whatever files a
    release's layout holds beside it (a file per shard is no distribution), then the release's other
    files (the zips, plan.duckdb, datapackage.json ...). A table's file not present gets no size."""
    from pipeline.publish.datapackage import resource_path
    from pipeline.schema import table_specs

    present = {file.path: file for file in files}
    chosen = []
    for table in table_specs():
        for fmt in TABLE_FORMATS:
            path = resource_path(table, fmt)
            chosen.append(present.get(path) or ReleaseFile(path, fmt, table, None, -1, ""))
    taken = {file.path for file in chosen}
    chosen += [file for file in files if file.path not in taken and (file.table is None or file.table == "changes")]
    return chosen


def _period(graph: Graph, dataset: URIRef, release_url: str, documents: list[dict]) -> None:
    from pipeline.site.contents import coverage

    years = coverage(documents)
    if years is None:
        return
    period = URIRef(release_url + "#period")
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(f"{years[0]}-01-01", datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(f"{years[1]}-12-31", datatype=XSD.date)))
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
    if file.size >= 0:
        add((node, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
    add((node, DCTERMS.format, URIRef(EU + "file-type/" + file.file_type)))
    if file.media_type:
        add((node, DCAT.mediaType, URIRef(IANA + file.media_type)))
    add((node, DCATAP.availability, URIRef(EU + "planned-availability/STABLE")))
    add((node, DCTERMS.publisher, publisher))
    if licence is not None:
        add((node, DCTERMS.license, licence))
    if file.byte_stable and file.sha256:
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


def root_graph(releases: list[tuple[dict, dict]], base_url: str) -> Graph:
    """outputs/catalog.ttl: the catalogue of the deployment's series of releases.

    ``releases``: (releases/index.json's entry, that release's datapackage.json, its dcat.ttl's graph
    or None when unreadable), oldest first. The
    newest release's identity names the series. dct:issued and dct:modified come from the index's
    built_at, here only, so that no file inside a release depends on the clock."""
    graph = _graph()
    add = graph.add
    catalogue = URIRef(base_url + "#catalogue")
    readable = [descriptor for _, descriptor, _ in releases if descriptor.get("title")]
    newest = readable[-1] if readable else {"title": "plandata releases", "contributors": []}
    publisher, contact, licence = _agents(graph, newest, base_url)
    series = _series(graph, base_url, newest, publisher, contact)
    add((catalogue, RDF.type, DCAT.Catalog))
    add((catalogue, DCTERMS.title, Literal(f"{newest['title']}: releases", lang="en")))
    add((catalogue, DCTERMS.description, Literal(
        f"Every release of {newest['title']}, each immutable, newest last; each is a dataset of the series.",
        lang="en")))
    add((catalogue, DCTERMS.publisher, publisher))
    add((catalogue, DCTERMS.language, LANGUAGE))
    add((catalogue, FOAF.homepage, URIRef(base_url + "index.html")))
    add((catalogue, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
    add((catalogue, DCAT.dataset, series))
    if licence is not None:
        add((catalogue, DCTERMS.license, licence))
    _place(graph, base_url, newest, catalogue, series)
    stamps = [_when(entry.get("built_at")) for entry, _, _ in releases]
    stamps = [stamp for stamp in stamps if stamp is not None]
    if stamps:
        for node in (catalogue, series):
            add((node, DCTERMS.issued, min(stamps)))
            add((node, DCTERMS.modified, max(stamps)))
    for entry, descriptor, own in releases:
        release_id = entry["release_id"]
        dataset = URIRef(f"{base_url}releases/{release_id}/")
        add((catalogue, DCAT.dataset, dataset))
        if own is not None:
            # The release's own description (its distributions, period, keywords), as its dcat.ttl says.
            for triple in own:
                if str(triple[0]).startswith(str(dataset)):
                    add(triple)
        add((dataset, RDF.type, DCAT.Dataset))
        if own is None:
            _titles(graph, dataset, descriptor if descriptor.get("title") else newest)
            add((dataset, DCTERMS.description, Literal(
                f"Release {release_id} of the series (content version {entry.get('version')}).", lang="en")))
            add((dataset, DCTERMS.identifier, Literal(str(entry.get("version")))))
            add((dataset, URIRef(str(DCAT) + "version"), Literal(release_id)))
        add((dataset, URIRef(str(DCAT) + "inSeries"), series))
        add((dataset, DCTERMS.publisher, publisher))
        add((dataset, DCAT.landingPage, URIRef(f"{base_url}releases/{release_id}/index.html")))
        for name in ("dcat.ttl", "dcat.jsonld"):
            add((dataset, FOAF.page, URIRef(f"{base_url}releases/{release_id}/{name}")))
        stamp = _when(entry.get("built_at"))
        if stamp is not None:
            add((dataset, DCTERMS.issued, stamp))
            add((dataset, DCTERMS.modified, stamp))
        if entry.get("previous"):
            add((dataset, URIRef(str(DCAT) + "previousVersion"), URIRef(f"{base_url}releases/{entry['previous']}/")))
    # The series covers what its newest release covers (each release holds every notice published).
    described = [URIRef(f"{base_url}releases/{entry['release_id']}/") for entry, _, own in releases if own is not None]
    if described:
        period = graph.value(described[-1], DCTERMS.temporal)
        if period is not None:
            add((series, DCTERMS.temporal, period))
        for keyword in graph.objects(described[-1], DCAT.keyword):
            add((series, DCAT.keyword, keyword))
    _vocabulary(graph)
    return graph


def _when(value: object) -> Literal | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})?", value):
        return None
    return Literal(value, datatype=XSD.dateTime)
