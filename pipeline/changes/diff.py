"""What `plandata diff` compares: two releases, or a release and a notice file, or two notice files.

A notice file gets the doc_id a build would give it (its file name, see
pipeline.core.notice.doc_id_from_filename). When that id is not in the other side,
and the other side holds exactly one document, the file is compared with that
document and a note says so (an amended copy is rarely saved under the published
name). When the other side holds several documents and none has the file's id,
the comparison is refused: guessing which one it amends could report a whole
document as rewritten.

A release is read strictly: a missing or unreadable datapackage.json or JSON table
file (one per table, or one per shard) is one error naming the file, never a traceback and never
an empty table read as "everything was removed".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.changes.log import INPUT_TABLES
from pipeline.checks.package import files_by_table
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import extract
from pipeline.sources.discovery import SourceFile, printable, read_bounded, read_sources


@dataclass
class Side:
    path: Path
    tables: dict[str, list[dict]]
    is_notice: bool

    @property
    def doc_ids(self) -> list[str]:
        return sorted({str(row.get("doc_id")) for row in self.tables.get("documents", [])})


@dataclass
class Comparison:
    rows: list[dict]
    notes: list[str] = field(default_factory=list)


def _read_json(path: Path, what: str):
    if not path.is_file():
        raise PlanDataError(f"not a complete release: {what} is missing", file=str(path))
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PlanDataError(f"not a readable release: {what} is not UTF-8 (byte {exc.start})",
                            file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise PlanDataError(f"not a readable release: {what} is not valid JSON ({exc.msg})",
                            file=str(path), line=exc.lineno) from None
    except OSError as exc:
        raise PlanDataError(f"cannot read {what}: {exc.strerror}", file=str(path)) from None


def read_release(directory: Path) -> dict[str, list[dict]]:
    """The tables the change log needs, from a release's JSON files."""
    descriptor = _read_json(directory / "datapackage.json", "datapackage.json")
    if not isinstance(descriptor, dict):
        raise PlanDataError("not a readable release: datapackage.json is not a JSON object",
                            file=str(directory / "datapackage.json"))
    files = files_by_table(descriptor, "json")
    tables = {}
    for name in INPUT_TABLES:
        if name not in files:
            raise PlanDataError(f"not a complete release: datapackage.json lists no JSON file of table {name}",
                                file=str(directory / "datapackage.json"))
        tables[name] = []
        for relative in files[name]:
            path = directory / relative
            rows = _read_json(path, f"table {name}")
            if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                raise PlanDataError(f"not a readable release: table {name} is not a JSON list of rows",
                                    file=str(path))
            tables[name] += rows
    return tables


def load_side(path: Path, sources_dir: Path) -> Side:
    if path.is_dir():
        if not (path / "datapackage.json").is_file():
            raise PlanDataError("not a release directory (no datapackage.json)", file=str(path))
        return Side(path, read_release(path), is_notice=False)
    if path.is_file():
        _, registry = read_sources(sources_dir)
        extracted = extract([SourceFile(path, read_bounded(path, printable(str(path))))], registry)
        return Side(path, {name: extracted[name].to_pylist() for name in INPUT_TABLES}, is_notice=True)
    raise PlanDataError("no such release directory or notice file", file=str(path))


def _relabel(side: Side, doc_id: str) -> None:
    for rows in side.tables.values():
        for row in rows:
            row["doc_id"] = doc_id


def match_doc_ids(old: Side, new: Side) -> list[str]:
    """Give a notice file the doc_id of the one document it is compared with; the notes to print."""
    notes = []
    for notice, other in ((new, old), (old, new)):  # two notices: the new one takes the old one's id
        if not notice.is_notice:
            continue
        [doc_id] = notice.doc_ids  # a notice file is one document
        others = other.doc_ids
        if doc_id in others or not others:
            continue
        if len(others) > 1:
            raise PlanDataError(f"gives doc_id {doc_id!r}, which is none of the {len(others)} documents of "
                                f"{other.path} ({', '.join(others)}); name the file after the document it amends",
                                file=str(notice.path))
        notes.append(f"{notice.path.name} (doc_id {doc_id!r}) is compared with document {others[0]!r} "
                     f"of {other.path}, the only one there")
        _relabel(notice, others[0])
    return notes


def compare(old: Path, new: Path, sources_dir: Path) -> Comparison:
    from pipeline.changes import compute_changes

    old_side, new_side = load_side(old, sources_dir), load_side(new, sources_dir)
    notes = match_doc_ids(old_side, new_side)
    return Comparison(compute_changes(old_side.tables, new_side.tables), notes)


def changes_between(old: Path, new: Path, sources_dir: Path) -> list[dict]:
    return compare(old, new, sources_dir).rows
