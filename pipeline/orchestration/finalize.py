"""Last step before the switch: change log, quality report, pages, build keys, checksums, then publish."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.publish.checksums import read_sha256sums, write_sha256sums
from pipeline.publish.release import (Published, change_base, damaged_files, latest_release, publish_staging,
                                      read_index, releases_dir)
from pipeline.publish.reuse import KEYS_FILE, KEYS_FORMAT, Previous
from pipeline.publish.tables import read_tables
from pipeline.render.quality import quality_report
from pipeline.schema import load_spec

CHANGE_TABLE = "changes"


def _write_changes(staging: Path, rows: list[dict]) -> None:
    from pipeline.publish.files import csv_text, json_text

    from pipeline.publish.store import add_change_log

    table = load_spec(CHANGE_TABLE).to_arrow(rows)
    # In plan.duckdb too (written by the step before), so the log joins tasks and assignments in SQL.
    add_change_log(staging / "plan.duckdb", table)
    (staging / f"{CHANGE_TABLE}.csv").write_text(csv_text(table), encoding="utf-8")
    (staging / f"{CHANGE_TABLE}.json").write_text(json_text(table), encoding="utf-8")


def _doc_keys(keys: dict) -> dict[str, str]:
    return {doc_id: key for shard in keys.get("shards", {}).values() for doc_id, key in shard.get("docs", {}).items()}


def _rows(tables: dict[str, pa.Table]) -> dict[str, list[dict]]:
    return {name: table.to_pylist() for name, table in tables.items()}


def _changes(previous: Previous, new_tables: dict[str, pa.Table], new_keys: dict[str, str]) -> list[dict]:
    """The change log, computed over the notices whose content key changed (or all of them when
    the previous release has no build keys). An unchanged notice has the same rows on both sides,
    which the change log never reports."""
    from pipeline.changes import compute_changes

    if previous.directory is None:
        return []
    old_keys = _doc_keys(previous.keys)
    if not old_keys or not new_keys:
        old_tables = read_tables(previous.directory, previous.descriptor)
        return compute_changes(_rows(old_tables), _rows(new_tables))
    changed = {doc for doc, key in new_keys.items() if old_keys.get(doc) != key} | (old_keys.keys() - new_keys.keys())
    old_tables = read_tables(previous.directory, previous.descriptor, doc_ids=changed)
    wanted = pa.array(sorted(changed), pa.string())
    new_subset = {name: table.filter(pc.is_in(table.column("doc_id"), value_set=wanted))
                  if "doc_id" in table.column_names else table for name, table in new_tables.items()}
    return compute_changes(_rows(old_tables), _rows(new_subset), qualify=len(old_keys.keys() | new_keys.keys()) > 1,
                           first=not old_keys)


def damage_notes(outputs: Path) -> list[str]:
    """One note per file of a published release that no longer matches its SHA256SUMS, as the
    build's check recorded it in the index: this release was built while they were damaged."""
    try:
        entries = read_index(outputs)["releases"]
    except Exception:
        return []
    return [f"releases/{entry['release_id']}/{name} no longer matches its SHA256SUMS (damaged after "
            "publishing; that release is left as it is, and this release holds fresh copies)"
            for entry in entries for name in entry.get("damaged") or []]


def finalize(outputs: Path, staging: Path, base_url: str | None = None, build: dict | None = None) -> Published:
    """``build`` is what the release_files step reports: each shard's manifest (its doc keys and
    whether it was linked), the notices left out by --skip-broken and the files of formats not read."""
    build = build or {}
    descriptor = json.loads((staging / "datapackage.json").read_text(encoding="utf-8"))
    current = latest_release(outputs)
    if current and current.endswith(descriptor["version"][:8]) and not damaged_files(outputs, current):
        return publish_staging(outputs, staging, descriptor["version"])
    # When latest is gone (deleted by hand), the newest release still present is the base.
    previous_id = change_base(outputs)
    previous = Previous(releases_dir(outputs) / previous_id if previous_id else None,
                        reusable=not damaged_files(outputs, previous_id))
    shards = build.get("shards", {})
    new_keys = {doc_id: key for shard in shards.values() for doc_id, key in shard["docs"].items()}
    new_tables = read_tables(staging, descriptor)
    from pipeline.changes.id_parts import with_id_parts

    changes = with_id_parts(_changes(previous, new_tables, new_keys),
                            new_tables["documents"].column("doc_id").to_pylist())
    _write_changes(staging, changes)
    from pipeline.site import base_url_notice, resolve_base_url, upcoming_release_id, write_release_site

    base_url = resolve_base_url(base_url)
    notice = base_url_notice(base_url)
    notes = ([notice] if notice else []) + (damage_notes(outputs) if not previous.reusable else [])
    (staging / "quality.md").write_text(quality_report(new_tables, notes, build.get("skipped", []),
                                                       build.get("unread", [])), encoding="utf-8")
    pages: dict[str, str] = {}
    linked = [path for shard in shards.values() if shard.get("linked") for path in shard["files"]]

    def place(relative: str, key: str, produce) -> None:
        """A notice page whose key is unchanged is the previous release's file, hard-linked."""
        pages[relative] = key
        if previous.page(relative, key):
            previous.link(relative, staging)
            linked.append(relative)
        else:
            produce(staging / relative)

    # Pages, assets, views.sql and DCAT are part of the release, so they come before SHA256SUMS.
    write_release_site(staging, new_tables, descriptor, changes, upcoming_release_id(outputs, descriptor["version"]),
                       base_url, previous_id, place=place, doc_keys=new_keys, skipped=build.get("skipped", []))
    # The settings file's sha256 (None: no file, the neutral defaults): what the identity was built from.
    keys = {"format": KEYS_FORMAT, "settings": build.get("settings"),
            "shards": {name: {key: shard[key] for key in ("key", "docs", "files", "sources")}
                       for name, shard in sorted(shards.items())},
            "pages": dict(sorted(pages.items()))}
    (staging / KEYS_FILE).write_text(json.dumps(keys, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                     encoding="utf-8")
    known = read_sha256sums(previous.directory) if previous.directory and linked else {}
    write_sha256sums(staging, known={path: known[path] for path in linked if path in known}, source=previous.directory)
    return publish_staging(outputs, staging, descriptor["version"])
