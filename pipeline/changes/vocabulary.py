"""The change log's columns and vocabularies, read from schemas/changes.schema.json.

The enum order is meaningful: rows sort by entity, then by change, in that order."""
from __future__ import annotations

from pipeline.schema import load_spec


def _enum(table: str, column: str) -> tuple[str, ...]:
    field = next(f for f in load_spec(table).fields if f["name"] == column)
    return tuple(field["constraints"]["enum"])


CHANGE_COLUMNS = tuple(load_spec("changes").columns)
ENTITIES = _enum("changes", "entity")
CHANGES = _enum("changes", "change")
ROLES = _enum("assignments", "role")
