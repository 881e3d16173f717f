"""Units across the notices of a release: for the unit filter, the busiest units and the charts."""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.schema import table_specs

# Chinese names of the role vocabulary; a role the schema adds later shows under its own name.
ROLE_NAMES = {"lead": "牵头", "co": "协办/配合", "responsible": "责任", "guide": "指导"}


def roles() -> list[str]:
    """The role vocabulary, in the schema's order."""
    for spec_field in table_specs()["assignments"].fields:
        if spec_field["name"] == "role":
            return list(spec_field.get("constraints", {}).get("enum", []))
    return []


def role_name(role: str) -> str:
    return f"{ROLE_NAMES[role]} {role}" if role in ROLE_NAMES else role


@dataclass
class Unit:
    key: str  # unit_id, or "label:" + the printed label when the registry does not resolve it
    name: str
    unit_id: str | None
    full_name: str | None
    tasks: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (doc_id, task_id) -> roles

    def count(self, role: str) -> int:
        return sum(1 for task_roles in self.tasks.values() if role in task_roles)

    @property
    def notices(self) -> int:
        return len({doc_id for doc_id, _ in self.tasks})


def unit_key(assignment: dict) -> str:
    return assignment["unit_id"] or "label:" + assignment["unit_label"]


def collect_units(tables: dict[str, list[dict]]) -> list[Unit]:
    """Every unit named in an assignment, sorted by name; one entry per unit_id (or unresolved label)."""
    registry = {row["unit_id"]: row for row in tables.get("units", [])}
    units: dict[str, Unit] = {}
    for row in tables.get("assignments", []):
        key = unit_key(row)
        unit = units.get(key)
        if unit is None:
            known = registry.get(row["unit_id"]) if row["unit_id"] else None
            unit = units[key] = Unit(key, known["name"] if known else row["unit_label"], row["unit_id"],
                                     known.get("full_name") if known else None)
        task_roles = unit.tasks.setdefault((row["doc_id"], row["task_id"]), [])
        if row["role"] not in task_roles:
            task_roles.append(row["role"])
    return sorted(units.values(), key=lambda u: (u.name, u.key))


def busiest(units: list[Unit], limit: int = 20) -> list[Unit]:
    order = roles()
    return sorted(units, key=lambda u: (*(-u.count(role) for role in order[:1]), -len(u.tasks), u.name, u.key))[:limit]
