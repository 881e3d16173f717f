"""Last step before the switch: change log, quality report, checksums, then publish."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.publish.checksums import write_sha256sums
from pipeline.publish.release import Published, latest_release, publish_staging, releases_dir
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


def _write_changes(staging: Path, rows: list[dict]) -> dict[str, int]:
    from pipeline.publish.files import csv_text, json_text

    table = load_spec(CHANGE_TABLE).to_arrow(rows)
    (staging / f"{CHANGE_TABLE}.csv").write_text(csv_text(table), encoding="utf-8")
    (staging / f"{CHANGE_TABLE}.json").write_text(json_text(table), encoding="utf-8")
    summary: dict[str, int] = {}
    for row in rows:
        key = f"{row['entity']} {row['change']}"
        summary[key] = summary.get(key, 0) + 1
    return summary


def finalize(outputs: Path, staging: Path) -> Published:
    from pipeline.changes import compute_changes

    descriptor = json.loads((staging / "datapackage.json").read_text(encoding="utf-8"))
    previous = latest_release(outputs)
    if previous and previous.endswith(descriptor["version"][:8]):
        return publish_staging(outputs, staging, descriptor["version"], {})
    new_tables = load_release_tables(staging)
    old_tables = load_release_tables(releases_dir(outputs) / previous) if previous else {}
    summary = _write_changes(staging, compute_changes(old_tables, new_tables))
    (staging / "quality.md").write_text(quality_report(new_tables), encoding="utf-8")
    write_sha256sums(staging)
    rows = {name: pq.read_metadata(staging / "parquet" / f"{name}.parquet").num_rows for name in table_specs()}
    entry = {"version": descriptor["version"],
             "sources": {source["title"]: source["sha256"] for source in descriptor["sources"]},
             "rows": rows, "changes": summary}
    return publish_staging(outputs, staging, descriptor["version"], entry)
