"""Sources -> one Arrow table per published table (all notices together)."""
from __future__ import annotations

import pyarrow as pa

from pipeline.core.notice import doc_id_from_filename, parse_notice
from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.provenance import tag_source
from pipeline.schema import table_specs
from pipeline.sources import REGISTRY_FILES, SourceFile


def _decode_registry(source: SourceFile) -> str:
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanDataError(f"registry is not UTF-8 (byte {exc.start})", file=str(source.path)) from None


# Registry table -> the file in the sources directory it is read from (units -> units.csv).
REGISTRY_TABLES = {file_name.removesuffix(".csv"): file_name for file_name in REGISTRY_FILES}


def read_registry(registry_files: dict[str, SourceFile]) -> UnitRegistry:
    """The unit registry from the files present; an absent file has no rows."""
    def text_and_name(table: str) -> tuple[str | None, str]:
        source = registry_files.get(REGISTRY_TABLES[table])
        return (_decode_registry(source), str(source.path)) if source else (None, REGISTRY_TABLES[table])

    (units, units_file), (aliases, aliases_file) = text_and_name("units"), text_and_name("unit_aliases")
    return UnitRegistry.from_csv(units, aliases, units_file, aliases_file)


def extract(notices: list[SourceFile], registry_files: dict[str, SourceFile]) -> dict[str, pa.Table]:
    registry = read_registry(registry_files)
    rows: dict[str, list[dict]] = {name: [] for name in table_specs()}
    rows["units"] = registry.units
    rows["unit_aliases"] = registry.aliases
    seen_ids: dict[str, str] = {}
    for source in notices:
        meta = source.meta
        doc_id = meta.get("id") or doc_id_from_filename(source.name)
        if doc_id in seen_ids:
            raise PlanDataError(f"gives the same doc_id {doc_id!r} as {seen_ids[doc_id]}; rename one file "
                                "or give one an id in its .meta.json sidecar", file=source.name)
        seen_ids[doc_id] = source.name
        notice = parse_notice(source.data, source.name, registry, doc_id=doc_id,
                              jurisdiction=meta.get("jurisdiction"))
        notice.tables["documents"][0].update(display_title=meta.get("title"), source_url=meta.get("source_url"),
                                             license=meta.get("license"))
        for name, table_rows in notice.tables.items():
            rows[name].extend(table_rows)
    specs = table_specs()
    tables = {name: specs[name].to_arrow(rows[name]) for name in specs}
    for name, file_name in REGISTRY_TABLES.items():
        if file_name in registry_files:
            source = registry_files[file_name]
            tables[name] = tag_source(tables[name], source.name, source.sha256)
    return tables
