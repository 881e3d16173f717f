"""Write a release's pages, portal metadata and views.sql; rewrite outputs/index.html and history.sql."""
from __future__ import annotations

import json
import shutil
from collections import defaultdict
from functools import cache
from pathlib import Path

from pipeline.publish.release import new_release_id, read_index, releases_dir, write_if_changed
from pipeline.site import dcat
from pipeline.site.base_url import release_url
from pipeline.site.cite import citation_bibtex, citation_plain, creator
from pipeline.site.markup import json_for_html
from pipeline.site.notice_page import notice_page, notice_path
from pipeline.site.outputs_page import outputs_page
from pipeline.site.release_files import release_files
from pipeline.site.release_page import release_page, unit_script_path
from pipeline.site.schema_org import dataset_description, dataset_jsonld
from pipeline.site.snippets import snippets
from pipeline.site.units_index import collect_units
from pipeline.site.views_sql import history_sql, release_views_sql

PACKAGE_DIR = Path(__file__).resolve().parent
ASSET_FILES = ("site.css", "filter.js")


@cache
def portal() -> dict:
    return json.loads((PACKAGE_DIR / "portal.json").read_text(encoding="utf-8"))


def upcoming_release_id(outputs: Path, content_version: str) -> str:
    """The id publish_staging will give this content, computed under the same build lock beforehand."""
    return new_release_id(outputs, content_version)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_release_site(staging: Path, tables: dict[str, list[dict]], descriptor: dict, changes: list[dict],
                       release_id: str | None, base_url: str, previous: str | None = None) -> list[Path]:
    """Pages, assets, views.sql and DCAT into a release folder (staging), from its tables and files.

    Deterministic: the output depends on the tables, the files already in staging (their sizes and
    sha256, plan.duckdb's size only), the release id and base_url; never on the clock."""
    label = release_id or descriptor["version"][:8]
    url = release_url(base_url, release_id)
    documents = tables.get("documents", [])
    written = [staging / "views.sql"]
    _write(written[0], release_views_sql())

    rows = {name: len(table_rows) for name, table_rows in tables.items()}
    rows["changes"] = len(changes)
    data_files = release_files(staging, rows, include_metadata=False)
    description = dataset_description(descriptor, documents, rows)
    author = creator(descriptor)
    graph = dcat.release_graph(descriptor, documents, data_files, base_url=base_url, release_url=url,
                               release_label=label, description=description, portal=portal(), creator=author,
                               previous_url=release_url(base_url, previous) if previous else None)
    for name, text in (("dcat.ttl", dcat.turtle(graph)), ("dcat.jsonld", dcat.jsonld(graph))):
        _write(staging / name, text)
        written.append(staging / name)

    files = release_files(staging, rows)
    units = collect_units(tables)
    unit_names = {unit.key: unit.name for unit in units}
    for document_row, notice_rows in _per_notice(tables):
        path = staging / notice_path(document_row["doc_id"])
        _write(path, notice_page(document_row, notice_rows, unit_names, label))
        written.append(path)

    notice_index = {doc["doc_id"]: index for index, doc in enumerate(documents)}
    task_rows = {(task["doc_id"], task["task_id"]): task for task in tables.get("tasks", [])}
    for index, unit in enumerate(units):
        entries = []
        for (doc_id, task_id), roles in unit.tasks.items():
            task = task_rows.get((doc_id, task_id), {})
            entries.append((notice_index.get(doc_id, -1), task.get("seq") or 0, task_id,
                            [notice_index.get(doc_id, -1), task_id, task.get("label") or "", task.get("title") or "", roles]))
        entries.sort(key=lambda entry: entry[:3])
        path = staging / unit_script_path(index)
        _write(path, f"plandataUnit({index},{json_for_html([entry[3] for entry in entries])});\n")
        written.append(path)

    for name in ASSET_FILES:
        target = staging / "assets" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_DIR / "assets" / name, target)
        written.append(target)

    _write(staging / "index.html", render_release_page(tables, descriptor, changes, files, units, label, url, previous))
    written.append(staging / "index.html")
    return written


def render_release_page(tables: dict[str, list[dict]], descriptor: dict, changes: list[dict], files: list,
                        units: list, label: str, url: str, previous: str | None) -> str:
    documents = tables.get("documents", [])
    rows = {name: len(table_rows) for name, table_rows in tables.items()}
    rows["changes"] = len(changes)
    jsonld = dataset_jsonld(descriptor, documents, rows, files, label, url, portal(), creator(descriptor))
    return release_page(descriptor=descriptor, tables=tables, files=files, units=units, changes=changes,
                        previous=previous, release_label=label,
                        citations=(citation_plain(descriptor, documents, label, url),
                                   citation_bibtex(descriptor, documents, label, url)),
                        snippets=snippets(url), jsonld=jsonld)


def _per_notice(tables: dict[str, list[dict]]):
    """Each document with its rows of every table, grouped in one pass (linear in the rows)."""
    grouped: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for name, table_rows in tables.items():
        for row in table_rows:
            if "doc_id" in row:
                grouped[row["doc_id"]][name].append(row)
    for document_row in tables.get("documents", []):
        yield document_row, grouped[document_row["doc_id"]]


def write_outputs_index(outputs: Path) -> list[Path]:
    """outputs/index.html (every release, newest first, with its change summary) and outputs/history.sql."""
    index = read_index(outputs)
    entries = index.get("releases", [])
    pages = {entry["release_id"]: (releases_dir(outputs) / entry["release_id"] / "index.html").is_file()
             for entry in entries}
    targets = [outputs / "index.html", outputs / "history.sql"]
    write_if_changed(targets[0], outputs_page(entries, index.get("latest"), pages))
    write_if_changed(targets[1], history_sql([entry["release_id"] for entry in entries], outputs))
    return targets
