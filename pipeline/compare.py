"""What `plandata diff` compares: two releases, or two notice files parsed on the spot."""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import PlanDataError
from pipeline.extract import extract
from pipeline.publish.finalize import load_release_tables
from pipeline.sources import SourceFile, printable, read_bounded, read_sources


def load_side(path: Path, sources_dir: Path) -> dict[str, list[dict]]:
    if path.is_dir():
        if not (path / "datapackage.json").is_file():
            raise PlanDataError("not a release directory (no datapackage.json)", file=str(path))
        return load_release_tables(path)
    if path.is_file():
        _, registry = read_sources(sources_dir)
        extracted = extract([SourceFile(path, read_bounded(path, printable(str(path))))], registry)
        # Same doc_id on both sides, whatever the files are called, so that they are compared.
        tables = {name: table.to_pylist() for name, table in extracted.items()}
        for rows in tables.values():
            for row in rows:
                if "doc_id" in row:
                    row["doc_id"] = "notice"
        return tables
    raise PlanDataError("no such release directory or notice file", file=str(path))


def changes_between(old: Path, new: Path, sources_dir: Path) -> list[dict]:
    from pipeline.changes import compute_changes

    return compute_changes(load_side(old, sources_dir), load_side(new, sources_dir))
