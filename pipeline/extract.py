"""Sources -> one Arrow table per published table (all notices together)."""
from __future__ import annotations

import pyarrow as pa

from pipeline.core.notice import doc_id_from_filename, parse_notice
from pipeline.core.registry import UnitRegistry
from pipeline.errors import PlanDataError
from pipeline.provenance import tag_source
from pipeline.schema import table_specs
from pipeline.sources import SourceFile


def _decode_registry(source: SourceFile) -> str:
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanDataError(f"registry is not UTF-8 (byte {exc.start})", file=str(source.path)) from None


def extract(notices: list[SourceFile], registry_files: dict[str, SourceFile]) -> dict[str, pa.Table]:
    registry = UnitRegistry.from_csv(
        _decode_registry(registry_files["units.csv"]), _decode_registry(registry_files["unit_aliases.csv"]),
        str(registry_files["units.csv"].path), str(registry_files["unit_aliases.csv"].path))
    rows: dict[str, list[dict]] = {name: [] for name in table_specs()}
    rows["units"] = registry.units
    rows["unit_aliases"] = registry.aliases
    seen_ids: dict[str, str] = {}
    for source in notices:
        doc_id = doc_id_from_filename(source.name)
        if doc_id in seen_ids:
            raise PlanDataError(f"gives the same doc_id {doc_id!r} as {seen_ids[doc_id]}; rename one file",
                                file=str(source.path))
        seen_ids[doc_id] = source.name
        notice = parse_notice(source.data, source.name, registry, doc_id=doc_id)
        for name, table_rows in notice.tables.items():
            rows[name].extend(table_rows)
    specs = table_specs()
    tables = {name: specs[name].to_arrow(rows[name]) for name in specs}
    for name, source in (("units", registry_files["units.csv"]), ("unit_aliases", registry_files["unit_aliases.csv"])):
        tables[name] = tag_source(tables[name], source.name, source.sha256)
    return tables
