"""The change log's columns and vocabularies, read from schemas/changes.schema.json.

The enum order is meaningful: rows sort by entity, then by change, in that order."""
from __future__ import annotations

from pipeline.schema import load_spec


def _enum(table: str, column: str) -> tuple[str, ...]:
    field = next(f for f in load_spec(table).fields if f["name"] == column)
    return tuple(field["constraints"]["enum"])


# What `plandata diff` prints and compute_changes returns; the schema's id parts (doc_id…unit_label)
# are added when a release publishes the log (pipeline/changes/id_parts.py).
CHANGE_COLUMNS = ("entity", "change", "old_id", "new_id", "detail")
ENTITIES = _enum("changes", "entity")
CHANGES = _enum("changes", "change")
ROLES = _enum("assignments", "role")
