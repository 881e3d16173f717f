"""Last step before the switch: change log, quality report, checksums, then publish."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.publish.checksums import write_sha256sums
from pipeline.publish.release import Published, change_base, latest_release, publish_staging, releases_dir
from pipeline.render.quality import quality_report
from pipeline.schema import load_spec, table_specs

CHANGE_TABLE = "changes"


def load_release_tables(directory: Path) -> dict[str, list[dict]]:
    """A release's tables as row dicts, read from its JSON files (the format with no type guessing)."""
    tables = {}
    for name in table_specs():
        path = directory / "json" / f"{name}.json"
        if path.is_file():
            tables[name] = json.loads(path.read_text(encoding="utf-8"))
    return tables


def _write_changes(staging: Path, rows: list[dict]) -> None:
    from pipeline.publish.files import csv_text, json_text

    table = load_spec(CHANGE_TABLE).to_arrow(rows)
    (staging / f"{CHANGE_TABLE}.csv").write_text(csv_text(table), encoding="utf-8")
    (staging / f"{CHANGE_TABLE}.json").write_text(json_text(table), encoding="utf-8")


def finalize(outputs: Path, staging: Path, base_url: str | None = None) -> Published:
    from pipeline.changes import compute_changes

    descriptor = json.loads((staging / "datapackage.json").read_text(encoding="utf-8"))
    current = latest_release(outputs)
    if current and current.endswith(descriptor["version"][:8]):
        return publish_staging(outputs, staging, descriptor["version"])
    # When latest is gone (deleted by hand), the newest release still present is the base.
    previous = change_base(outputs)
    new_tables = load_release_tables(staging)
    old_tables = load_release_tables(releases_dir(outputs) / previous) if previous else {}
    changes = compute_changes(old_tables, new_tables)
    _write_changes(staging, changes)
    from pipeline.site import base_url_notice, resolve_base_url, upcoming_release_id, write_release_site

    base_url = resolve_base_url(base_url)
    notice = base_url_notice(base_url)
    from pipeline.site.notice_rows import read_release_tables

    site_tables = read_release_tables(staging)  # Arrow: no whole table as row dicts
    (staging / "quality.md").write_text(quality_report(site_tables, [notice] if notice else []), encoding="utf-8")
    # Pages, assets, views.sql and DCAT are part of the release, so they come before SHA256SUMS.
    write_release_site(staging, site_tables, descriptor, changes, upcoming_release_id(outputs, descriptor["version"]),
                       base_url, previous)
    write_sha256sums(staging)
    return publish_staging(outputs, staging, descriptor["version"])
