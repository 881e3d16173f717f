"""Write a release's pages, portal metadata and views.sql; rewrite outputs/index.html and history.sql."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyarrow as pa
from rdflib import Graph

from pipeline.publish.release_index import new_release_id, read_index, releases_dir, write_if_changed
from pipeline.site import dcat
from pipeline.site.base_url import DEFAULT_BASE_URL, release_url
from pipeline.site.changes_view import MARKS_FILE, MARKS_SCRIPT, marks_script
from pipeline.site.cite import citation_bibtex, citation_plain
from pipeline.site.contents import contents, described
from pipeline.site.markup import json_for_html
from pipeline.site.notice_list import notice_list_pages
from pipeline.site.notice_page import notice_page, notice_path
from pipeline.render.arrow_rows import as_arrow, row_dicts
from pipeline.render.quality import notice_quality, notice_quality_path
from pipeline.site.notice_rows import ByNotice
from pipeline.site.outputs_page import outputs_page
from pipeline.site.release_files import release_files
from pipeline.site.release_page import release_page, unit_script_path
from pipeline.site.schema_org import dataset_description, dataset_jsonld
from pipeline.site.snippets import snippets
from pipeline.site.page_key import page_key, unit_names_digest
from pipeline.site.units_index import collect_units, registry_names, unit_script_entries, unit_tasks
from pipeline.site.unit_search import write_unit_pages_and_search
from pipeline.site.views_sql import history_sql, release_views_sql

PACKAGE_DIR = Path(__file__).resolve().parent
ASSET_FILES = ("site.css", "filter.js", "unit-search.css", "search.js", MARKS_SCRIPT)
# The tables a notice page shows row by row; of the others it shows the counts.
NOTICE_ROWS = ("sections", "tasks", "assignments")
QUALITY_ROWS = ("sections", "tasks", "assignments", "citations", "findings")


def upcoming_release_id(outputs: Path, content_version: str) -> str:
    """The id publish_staging will give this content, computed under the same build lock beforehand."""
    return new_release_id(outputs, content_version)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_release_site(staging: Path, tables: dict[str, pa.Table], descriptor: dict, changes: list[dict],
                       release_id: str | None, base_url: str, previous: str | None = None, *,
                       place: Callable[[str, str, Callable[[Path], None]], None] | None = None,
                       doc_keys: dict[str, str] | None = None, skipped: list[dict] = ()) -> list[Path]:
    """Pages, assets, views.sql and DCAT into a release folder (staging), from its tables and files.

    tables: the release's whole tables (a list of row dicts is accepted too, for small callers).
    Deterministic: the output depends on the tables, the files already in staging (their sizes and
    sha256, plan.duckdb's size only), the release id and base_url; never on the clock.

    Notice pages depend on their notice only. With ``place``, each is handed over as
    ``place(relative_path, key, produce)``: ``produce(path)`` renders and writes the page (nothing
    is rendered unless it is called), and the key (from ``doc_keys[doc_id]``, the site's code,
    base_url and the registry's unit names) is the same whenever the page's bytes would be. A
    notice without a doc key is written directly."""
    tables = as_arrow(tables)
    label = release_id or descriptor["version"][:8]
    url = release_url(base_url, release_id)
    documents = row_dicts(tables["documents"]) if "documents" in tables else []
    written = [staging / "views.sql"]
    _write(written[0], release_views_sql())

    rows = {name: table.num_rows for name, table in tables.items()}
    rows["changes"] = len(changes)
    data_files = release_files(staging, rows, include_metadata=False)
    shown = described(descriptor, contents(tables))
    graph = dcat.release_graph(descriptor, documents, data_files, base_url=base_url, release_url=url,
                               release_label=label, description=dataset_description(shown, documents, rows),
                               keywords=shown["keywords"],
                               previous_url=release_url(base_url, previous) if previous else None)
    for name, text in (("dcat.ttl", dcat.turtle(graph)), ("dcat.jsonld", dcat.jsonld(graph))):
        _write(staging / name, text)
        written.append(staging / name)

    files = release_files(staging, rows)
    written += _notice_pages(staging, tables, documents, base_url, place, doc_keys)

    pairs = unit_tasks(tables.get("assignments"))
    units = collect_units(tables, pairs)
    for index, entries in unit_script_entries(units, pairs, documents, tables.get("tasks")):
        path = staging / unit_script_path(index)
        _write(path, f"plandataUnit({index},{json_for_html(entries)});\n")
        written.append(path)

    written += write_unit_pages_and_search(staging, tables, units, pairs, documents, label, place)

    for name in ASSET_FILES:
        target = staging / "assets" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_DIR / "assets" / name, target)
        written.append(target)

    for relative, page in notice_list_pages(documents, tables, f"{descriptor['title']} · {label}").items():
        _write(staging / relative, page)
        written.append(staging / relative)
    _write(staging / MARKS_FILE, marks_script(changes, [row["doc_id"] for row in documents]))
    written.append(staging / MARKS_FILE)
    _write(staging / "index.html",
           render_release_page(tables, descriptor, changes, files, units, label, url, previous, documents, skipped))
    written.append(staging / "index.html")
    return written


def _notice_pages(staging: Path, tables: dict[str, pa.Table], documents: list[dict], base_url: str,
                  place: Callable[[str, str, Callable[[Path], None]], None] | None,
                  doc_keys: dict[str, str] | None) -> list[Path]:
    by_notice = ByNotice(tables)
    registry = registry_names(tables.get("units"))
    units_digest = unit_names_digest(tables.get("units"))
    written = []
    for document_row in documents:
        doc_id = document_row["doc_id"]
        relative = notice_path(doc_id)
        produce = partial(_produce_notice_page, document_row, by_notice, registry)
        key = (doc_keys or {}).get(doc_id)
        # The notice's page and its quality details: each depends on the notice alone, so each is
        # handed to ``place`` under the notice's key, and hard-linked while the notice is unchanged.
        for path, make in ((relative, produce),
                           (notice_quality_path(doc_id), partial(_produce_notice_quality, document_row, by_notice))):
            if place is not None and key is not None:
                place(path, page_key(key, base_url, units_digest), make)
            else:
                make(staging / path)
            written.append(staging / path)
    return written


def _produce_notice_quality(document_row: dict, by_notice: ByNotice, path: Path) -> None:
    doc_id = document_row["doc_id"]
    tables = {name: by_notice.slice(name, doc_id) for name in QUALITY_ROWS if name in by_notice.names()}
    _write(path, notice_quality(document_row, tables))


def _produce_notice_page(document_row: dict, by_notice: ByNotice, registry: dict, path: Path) -> None:
    doc_id = document_row["doc_id"]
    counts = {name: by_notice.count(name, doc_id) for name in by_notice.names()}
    _write(path, notice_page(document_row, by_notice.rows(doc_id, NOTICE_ROWS), counts, registry))


def render_release_page(tables: dict[str, pa.Table], descriptor: dict, changes: list[dict], files: list,
                        units: list, label: str, url: str, previous: str | None,
                        documents: list[dict] | None = None, skipped: list[dict] = ()) -> str:
    tables = as_arrow(tables)
    if documents is None:
        documents = row_dicts(tables["documents"]) if "documents" in tables else []
    rows = {name: table.num_rows for name, table in tables.items()}
    rows["changes"] = len(changes)
    found = contents(tables)
    descriptor = described(descriptor, found)  # the description and keywords completed from the contents
    jsonld = dataset_jsonld(descriptor, documents, rows, files, label, url)
    return release_page(descriptor=descriptor, documents=documents, tables=tables, files=files, units=units,
                        changes=changes, previous=previous, release_label=label,
                        citations=(citation_plain(descriptor, documents, label, url, found),
                                   citation_bibtex(descriptor, documents, label, url, found)),
                        snippets=snippets(url), jsonld=jsonld, skipped=skipped)


def write_outputs_index(outputs: Path) -> list[Path]:
    """outputs/index.html (every release, newest first, with its change summary) and outputs/history.sql."""
    index = read_index(outputs)
    entries = index.get("releases", [])
    pages = {entry["release_id"]: (releases_dir(outputs) / entry["release_id"] / "index.html").is_file()
             for entry in entries}
    targets = [outputs / "index.html", outputs / "history.sql", outputs / "catalog.ttl", outputs / "catalog.jsonld"]
    write_if_changed(targets[0], outputs_page(entries, index.get("latest"), pages))
    write_if_changed(targets[1], history_sql([entry["release_id"] for entry in entries], outputs))
    graph = root_catalogue(outputs, entries)
    write_if_changed(targets[2], dcat.turtle(graph))
    write_if_changed(targets[3], dcat.jsonld(graph))
    return targets


def root_catalogue(outputs: Path, entries: list[dict]):
    """The series of releases, under the newest readable release's published address (its
    datapackage.json homepage; the placeholder when it has none)."""
    releases = []
    for entry in entries:
        try:
            descriptor = json.loads((releases_dir(outputs) / entry["release_id"] / "datapackage.json")
                                    .read_text(encoding="utf-8"))
        except (OSError, ValueError):
            descriptor = {}  # a damaged release is still in the series, named by the index
        try:
            own = Graph().parse(releases_dir(outputs) / entry["release_id"] / "dcat.ttl", format="turtle")
        except Exception:  # rdflib raises its parsers' own errors; an unreadable file only means less said
            own = None
        releases.append((entry, descriptor if isinstance(descriptor, dict) else {}, own))
    homepages = [descriptor.get("homepage") for _, descriptor, _ in releases if descriptor.get("title")]
    base_url = homepages[-1] if homepages and homepages[-1] else DEFAULT_BASE_URL
    return dcat.root_graph(releases, base_url if base_url.endswith("/") else base_url + "/")
