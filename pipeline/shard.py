"""One shard of a release: its notices parsed (or taken from the parse cache) and its files
written, or, when nothing in it changed, hard-linked from the previous release. The release's
check then reads back every file written (not those linked, which the build of the release
they come from checked) and checks keys across all shards.

A shard's result is a small JSON-able manifest, not its tables: Dagster passes it between
steps cheaply, in one process or several, and the release reads the rows back from the files."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.code_version import code_version
from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.extract import NOTICE_TABLES, Notice, concat, notice_tables
from pipeline.parse_cache import ParseCache, notice_key
from pipeline.publish.assemble import write_shard_files
from pipeline.publish.datapackage import notice_sources
from pipeline.publish.reuse import Previous
from pipeline.publish.texts import write_rendered_texts
from pipeline.schema import table_specs
from pipeline.sources import SourceFile


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
    skip_broken: bool = False


def _errors(notice: Notice, tables: dict[str, pa.Table]) -> list[dict]:
    findings = tables["findings"]
    errors = findings.filter(pc.equal(findings.column("severity"), "error"))
    return [{"file": notice.source.name, "line": row["line"], "message": f"{row['kind']}: {row['message']}"}
            for row in errors.select(["line", "kind", "message"]).to_pylist()]


def _stale(notice: Notice, context: ShardContext) -> dict[str, pa.Table] | None:
    """The notice's rows in the previous release, marked stale; None when it was not published."""
    previous = context.previous.notice_rows(notice.doc_id, notice.shard)
    if previous is None:
        return None
    specs = table_specs()
    tables = {}
    for name in NOTICE_TABLES:
        rows = previous[name].to_pylist() if name in previous else []
        if name == "documents":
            for row in rows:
                row["stale"] = True
        tables[name] = specs[name].to_arrow(rows)
    return tables


def _read(notice: Notice, context: ShardContext) -> tuple[str, dict[str, pa.Table] | None, list[dict]]:
    """(key, tables, problems) of one notice. A broken notice raises, or with skip_broken gives its
    previous rows (stale) or none, and the problems that left it out."""
    key = notice_key(notice, context.registry_sha256)
    tables = context.cache.get(key)
    if tables is None:
        try:
            tables = notice_tables(notice, context.registry)
        except PlanDataError as error:
            if not context.skip_broken:
                raise
            problems = [{"file": notice.source.name, "line": error.line, "message": error.message}]
        else:
            context.cache.put(key, tables)
            problems = []
    else:
        problems = []
    if tables is not None:
        problems = _errors(notice, tables)
        if not problems or not context.skip_broken:
            return key, tables, problems
    stale = _stale(notice, context)
    for problem in problems:
        problem["stale"] = stale is not None
    return f"stale:{key}", stale, problems


def _shard_key(docs: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps([sorted(docs.items()), code_version("files")]).encode("utf-8")).hexdigest()


def build_shard(shard: str, notices: list[Notice], context: ShardContext) -> dict:
    """Parse and write one shard's files in staging, or link them; returns its manifest."""
    if notices:
        # Keys first: a shard whose notices all kept their content is linked without reading
        # a cached row (a notice left out or stale before has another key, so it never matches).
        docs = {notice.doc_id: notice_key(notice, context.registry_sha256) for notice in notices}
        key = _shard_key(docs)
        previous = context.previous.shard(shard, key)
        if previous is not None:
            for path in previous["files"]:
                context.previous.link(path, context.staging)
            return {"shard": shard, "docs": docs, "errors": [], "skipped": [], "key": key,
                    "files": previous["files"], "sources": previous["sources"],
                    "resources": context.previous.shard_resources(shard), "linked": True}
    docs: dict[str, str] = {}
    read: list[Notice] = []  # the notices published from their current text (not stale)
    parts: list[dict[str, pa.Table]] = []
    errors: list[dict] = []
    skipped: list[dict] = []
    for notice in notices:
        key, tables, problems = _read(notice, context)
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
        return {**manifest, "key": None, "files": [], "resources": [], "sources": [], "linked": False}
    manifest["key"] = _shard_key(docs)
    tables = {name: concat([part[name] for part in parts], name) for name in NOTICE_TABLES}
    resources, files = write_shard_files(context.staging, shard, tables)
    files += write_rendered_texts(context.staging, read)
    return {**manifest, "files": files, "resources": resources, "sources": notice_sources(tables["documents"]),
            "linked": False}
