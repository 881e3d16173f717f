"""Sources -> Arrow tables: one notice at a time (what a shard and the parse cache hold), or all together."""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from pipeline.core.notice import doc_id_from_path, parse_notice
from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.extraction.provenance import tag_source
from pipeline.publish.datapackage import NOTICE_TABLE_NAMES
from pipeline.schema import table_specs
from pipeline.extraction.shards import shard_of
from pipeline.sources.discovery import REGISTRY_FILES, SourceFile


def _decode_registry(source: SourceFile) -> str:
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanDataError(f"registry is not UTF-8 (byte {exc.start})", file=str(source.path)) from None


# Registry table -> the file in the sources directory it is read from (units -> units.csv).
REGISTRY_TABLES = {file_name.removesuffix(".csv"): file_name for file_name in REGISTRY_FILES}
NOTICE_TABLES = NOTICE_TABLE_NAMES


def read_registry(registry_files: dict[str, SourceFile]) -> UnitRegistry:
    """The unit registry from the files present; an absent file has no rows."""
    def text_and_name(table: str) -> tuple[str | None, str]:
        source = registry_files.get(REGISTRY_TABLES[table])
        return (_decode_registry(source), str(source.path)) if source else (None, REGISTRY_TABLES[table])

    (units, units_file), (aliases, aliases_file) = text_and_name("units"), text_and_name("unit_aliases")
    return UnitRegistry.from_csv(units, aliases, units_file, aliases_file)


def registry_tables(registry: UnitRegistry, registry_files: dict[str, SourceFile]) -> dict[str, pa.Table]:
    specs = table_specs()
    tables = {"units": specs["units"].to_arrow(registry.units),
              "unit_aliases": specs["unit_aliases"].to_arrow(registry.aliases)}
    for name, file_name in REGISTRY_TABLES.items():
        if file_name in registry_files:
            source = registry_files[file_name]
            tables[name] = tag_source(tables[name], source.name, source.sha256)
    return tables


@dataclass(frozen=True)
class Notice:
    """A notice file (read, or only found: a NoticeRef) and the doc_id it is published under."""
    source: SourceFile
    doc_id: str

    @property
    def shard(self) -> str:
        return shard_of(self.doc_id)


def identify(sources: list) -> list[Notice]:
    """Each notice's doc_id: its sidecar's id, else one made from its path relative to the sources
    directory (``2009/taizhou.txt`` → ``2009-taizhou``), so that every county's ``plan.txt`` can sit in
    its own folder. Two notices that give the same id stop the build with a message that names both."""
    seen: dict[str, str] = {}
    notices = []
    for source in sources:
        doc_id = source.meta.get("id") or doc_id_from_path(source.name)
        if doc_id in seen:
            raise PlanDataError(f"gives the same doc_id {doc_id!r} as {seen[doc_id]}; rename one file "
                                "or give one an id in its .meta.json sidecar", file=source.name)
        seen[doc_id] = source.name
        notices.append(Notice(source, doc_id))
    return notices


def notice_tables(notice: Notice, registry: UnitRegistry) -> dict[str, pa.Table]:
    """Every per-notice table of one notice (raises PlanDataError when the file cannot be read)."""
    source, meta = notice.source, notice.source.meta
    parsed = parse_notice(source.data, source.name, registry, doc_id=notice.doc_id,
                          jurisdiction=meta.get("jurisdiction"))
    parsed.tables["documents"][0].update(display_title=meta.get("title"), source_url=meta.get("source_url"),
                                         license=meta.get("license"), stale=False)
    specs = table_specs()
    return {name: specs[name].to_arrow(parsed.tables[name]) for name in NOTICE_TABLES}


def concat(parts: list[pa.Table], name: str) -> pa.Table:
    return pa.concat_tables(parts) if parts else table_specs()[name].to_arrow([])


def extract(notices: list[SourceFile], registry_files: dict[str, SourceFile]) -> dict[str, pa.Table]:
    """Every table of every notice, in memory: for tests and tools; a build goes shard by shard."""
    registry = read_registry(registry_files)
    per_notice = [notice_tables(notice, registry) for notice in identify(notices)]
    tables = registry_tables(registry, registry_files)
    tables.update({name: concat([tables_[name] for tables_ in per_notice], name) for name in NOTICE_TABLES})
    return {name: tables[name] for name in table_specs()}
