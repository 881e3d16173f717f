"""One shard of a release: its notices parsed (or taken from the parse cache) and its rows kept
in the shard store (OUTPUTS/.cache/shards/, pipeline/extraction/shard_store.py), not in the
release; its notices' texts written, or, when nothing in it changed, hard-linked from the previous
release. The release step assembles every table's whole files from the shards' rows.

A shard's result is a small JSON-able manifest, not its tables: Dagster passes it between
steps cheaply, in one process or several, and the release step reads the rows from the store."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.orchestration.code_version import code_version
from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.extraction.extract import NOTICE_TABLES, Notice, concat, notice_tables
from pipeline.extraction.parse_cache import ParseCache, notice_key
from pipeline.extraction.shard_store import ShardStore
from pipeline.publish.datapackage import notice_sources
from pipeline.publish.reuse import Previous
from pipeline.publish.texts import write_rendered_texts
from pipeline.schema import table_specs
from pipeline.sources.discovery import NoticeRef, SourceFile


def registry_key(registry_files: dict[str, SourceFile]) -> str:
    return hashlib.sha256(json.dumps(sorted((name, source.sha256) for name, source in registry_files.items()))
                          .encode("utf-8")).hexdigest()


@dataclass
class ShardContext:
    staging: Path
    registry: UnitRegistry
    registry_sha256: str
    cache: ParseCache
    previous: Previous
    store: ShardStore
    skip_broken: bool = False


def _errors(notice: Notice, tables: dict[str, pa.Table]) -> list[dict]:
    findings = tables["findings"]
    errors = findings.filter(pc.equal(findings.column("severity"), "error"))
    return [{"file": notice.source.name, "line": row["line"], "message": f"{row['kind']}: {row['message']}"}
            for row in errors.select(["line", "kind", "message"]).to_pylist()]


def _unregistered(tables: dict[str, pa.Table], registry: UnitRegistry) -> list[str]:
    """The registry keys (``unit_id 'x'``) that rows refer to and the registry no longer holds."""
    held = {"units": registry.units, "unit_aliases": registry.aliases}
    missing = set()
    for name, table in tables.items():
        for key in table_specs()[name].descriptor.get("foreignKeys", []):
            target = key["reference"]["resource"]
            if target not in held or table.num_rows == 0:
                continue
            present = {tuple(row[field] for field in key["reference"]["fields"]) for row in held[target]}
            for values in table.select(key["fields"]).to_pylist():
                value = tuple(values[field] for field in key["fields"])
                if None not in value and value not in present:
                    missing.add(", ".join(f"{field} {part!r}" for field, part in zip(key["fields"], value)))
    return sorted(missing)


def _stale(notice: Notice, context: ShardContext) -> tuple[dict[str, pa.Table] | None, str | None]:
    """The notice's rows in the previous release, marked stale; None when it was not published.

    Rows kept from the previous release were resolved against the registry of then. When the
    registry has since lost a unit they name, they are left out too (with why), rather than
    published with altered unit_ids or failing the build on a key named by an output file."""
    previous = context.previous.notice_rows(notice.doc_id, notice.shard)
    if previous is None:
        return None, None
    specs = table_specs()
    tables = {}
    for name in NOTICE_TABLES:
        rows = previous[name].to_pylist() if name in previous else []
        if name == "documents":
            for row in rows:
                row["stale"] = True
        tables[name] = specs[name].to_arrow(rows)
    unknown = _unregistered(tables, context.registry)
    if unknown:
        shown = "; ".join(unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
        return None, (f"its previous rows were not kept either: they name {shown}, which the unit registry "
                      "no longer lists")
    return tables, None


def _read(notice: Notice, context: ShardContext) -> tuple[str, dict[str, pa.Table] | None, list[dict]]:
    """(key, tables, problems) of one notice. A broken notice raises, or with skip_broken gives its
    previous rows (stale) or none, and the problems that left it out."""
    key = notice_key(notice, context.registry_sha256)
    tables = context.cache.get(key, notice.doc_id, notice.source.sha256)
    if tables is None:
        try:
            tables = notice_tables(notice, context.registry)
        except PlanDataError as error:
            if not context.skip_broken:
                raise
            problems = [{"file": notice.source.name, "line": error.line, "message": error.message}]
        else:
            context.cache.put(key, notice.doc_id, notice.source.sha256, tables)
            problems = []
    else:
        problems = []
    if tables is not None:
        problems = _errors(notice, tables)
        if not problems or not context.skip_broken:
            return key, tables, problems
    stale, unfit = _stale(notice, context)
    for problem in problems:
        problem["stale"] = stale is not None
        if unfit:
            problem["message"] += f" ({unfit})"
    return f"stale:{key}", stale, problems


def _unreadable(notice: Notice, error: PlanDataError, context: ShardContext) -> tuple[str, dict | None, list[dict]]:
    """A notice that could not even be read (over the size limit, not a regular file, a broken
    sidecar) under skip_broken: left out like a notice that fails to parse."""
    where = "" if error.file in (None, notice.source.name) else f"{error.file}: "
    stale, unfit = _stale(notice, context)
    problems = [{"file": notice.source.name, "line": error.line if not where else None,
                 "message": where + error.message + (f" ({unfit})" if unfit else ""), "stale": stale is not None}]
    digest = hashlib.sha256(str(error).encode("utf-8")).hexdigest()
    return f"stale:unread:{digest}", stale, problems


def _read_all(notices: list, context: ShardContext) -> tuple[list[Notice], list[tuple]]:
    """(the notices read, their bytes in memory; the results of those that could not be read)."""
    read, unread = [], []
    for notice in notices:
        try:
            read.append(Notice(notice.source.read(), notice.doc_id) if isinstance(notice.source, NoticeRef)
                        else notice)
        except PlanDataError as error:
            if not context.skip_broken:
                raise
            unread.append((notice, _unreadable(notice, error, context)))
    return read, unread


def _shard_key(docs: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps([sorted(docs.items()), code_version("files")]).encode("utf-8")).hexdigest()


def build_shard(shard: str, notices: list[Notice], context: ShardContext) -> dict:
    """Keep one shard's rows in the store and write its texts in staging (or link them); returns its
    manifest, whose ``key`` names the rows in the store. The
    notices may be found only (NoticeRef sources): each is read here, so that one that cannot be
    read is left out by skip_broken like one that cannot be parsed."""
    notices, unread = _read_all(notices, context)
    if notices and not unread:
        # Keys first: a shard whose notices all kept their content is linked without reading
        # a cached row (a notice left out or stale before has another key, so it never matches).
        docs = {notice.doc_id: notice_key(notice, context.registry_sha256) for notice in notices}
        key = _shard_key(docs)
        previous = context.previous.shard(shard, key)
        if previous is not None and context.store.has(key):
            for path in previous["files"]:
                context.previous.link(path, context.staging)
            return {"shard": shard, "docs": docs, "errors": [], "skipped": [], "key": key,
                    "files": previous["files"], "sources": previous["sources"], "linked": True}
    docs: dict[str, str] = {}
    read: list[Notice] = []  # the notices published from their current text (not stale)
    parts: list[dict[str, pa.Table]] = []
    errors: list[dict] = []
    skipped: list[dict] = []
    results = [(notice, _read(notice, context)) for notice in notices] + unread
    for notice, (key, tables, problems) in sorted(results, key=lambda result: result[0].source.name):
        if context.skip_broken and problems:
            skipped += problems
        else:
            errors += problems
        if tables is not None:
            docs[notice.doc_id] = key
            parts.append(tables)
            if not key.startswith("stale:"):
                read.append(notice)
    manifest = {"shard": shard, "docs": docs, "errors": errors, "skipped": skipped}
    if not docs:
        return {**manifest, "key": None, "files": [], "sources": [], "linked": False}
    manifest["key"] = _shard_key(docs)
    tables = {name: concat([part[name] for part in parts], name) for name in NOTICE_TABLES}
    if not context.store.has(manifest["key"]):
        context.store.put(manifest["key"], tables)
    files = write_rendered_texts(context.staging, read)
    return {**manifest, "files": files, "sources": notice_sources(tables["documents"]), "linked": False}
