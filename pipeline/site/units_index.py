"""Units across the notices of a release: for the unit filter, the busiest units and the charts."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa

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
    tasks: int = 0  # distinct (doc_id, task_id) the unit is named in
    notices: int = 0
    role_tasks: dict[str, int] = field(default_factory=dict)  # role -> tasks naming the unit in that role

    def count(self, role: str) -> int:
        return self.role_tasks.get(role, 0)


def unit_key(assignment: dict) -> str:
    return assignment["unit_id"] or "label:" + assignment["unit_label"]


def _key() -> pl.Expr:
    """unit_key() over a whole table."""
    resolved = pl.col("unit_id").is_not_null() & (pl.col("unit_id") != "")
    return pl.when(resolved).then(pl.col("unit_id")).otherwise(pl.lit("label:") + pl.col("unit_label"))


def unit_tasks(assignments: pa.Table | None) -> pl.DataFrame:
    """One row per (unit key, doc_id, task_id), in the order first named: its roles (in order of
    appearance, each once), the first printed label and unit_id."""
    columns = ["doc_id", "task_id", "role", "unit_id", "unit_label"]
    if assignments is None:
        frame = pl.DataFrame(schema={name: pl.String for name in columns})
    else:
        frame = pl.from_arrow(assignments.select(columns).replace_schema_metadata(None))
    return (frame.with_columns(key=_key())
            .group_by(["key", "doc_id", "task_id"], maintain_order=True)
            .agg(pl.col("role").unique(maintain_order=True).alias("roles"),
                 pl.col("unit_label").first().alias("label"), pl.col("unit_id").first()))


def registry_names(units: pa.Table | None) -> dict[str, tuple[str, str | None]]:
    """unit_id -> (name, full_name) of the registry."""
    if units is None:
        return {}
    return {unit_id: (name, full_name) for unit_id, name, full_name in
            zip(units["unit_id"].to_pylist(), units["name"].to_pylist(), units["full_name"].to_pylist())}


def collect_units(tables: dict[str, pa.Table], pairs: pl.DataFrame | None = None) -> list[Unit]:
    """Every unit named in an assignment, sorted by name; one entry per unit_id (or unresolved label).

    pairs: unit_tasks() of the assignments, when the caller has it already."""
    if pairs is None:
        pairs = unit_tasks(tables.get("assignments"))
    registry = registry_names(tables.get("units"))
    per_unit = pairs.group_by("key", maintain_order=True).agg(
        pl.col("label").first(), pl.col("unit_id").first(), pl.len().alias("tasks"),
        pl.col("doc_id").n_unique().alias("notices"))
    role_tasks: dict[str, dict[str, int]] = {}
    counted = pairs.select("key", "roles").explode("roles").group_by(["key", "roles"]).len()
    for key, role, count in counted.iter_rows():
        role_tasks.setdefault(key, {})[role] = count
    units = []
    for key, label, unit_id, tasks, notices in per_unit.iter_rows():
        known = registry.get(unit_id) if unit_id else None
        units.append(Unit(key, known[0] if known else label, unit_id, known[1] if known else None,
                          tasks, notices, role_tasks.get(key, {})))
    return sorted(units, key=lambda u: (u.name, u.key))


def unit_script_entries(units: list[Unit], pairs: pl.DataFrame, documents: list[dict],
                        tasks: pa.Table | None) -> Iterator[tuple[int, list[tuple]]]:
    """(unit index, its tasks as [notice index, task_id, label, title, roles]) in notice, seq, task_id order."""
    index = pl.DataFrame({"key": [unit.key for unit in units], "unit_index": range(len(units))},
                         schema={"key": pl.String, "unit_index": pl.Int64})
    notices = pl.DataFrame({"doc_id": [doc["doc_id"] for doc in documents], "notice_index": range(len(documents))},
                           schema={"doc_id": pl.String, "notice_index": pl.Int64})
    task_columns = ["doc_id", "task_id", "seq", "label", "title"]
    if tasks is None:
        task_frame = pl.DataFrame(schema={"doc_id": pl.String, "task_id": pl.String, "seq": pl.Int64,
                                          "label": pl.String, "title": pl.String})
    else:
        task_frame = pl.from_arrow(tasks.select(task_columns).replace_schema_metadata(None))
    joined = (pairs.select("key", "doc_id", "task_id", "roles")
              .join(index, on="key").join(notices, on="doc_id", how="left")
              .join(task_frame, on=["doc_id", "task_id"], how="left")
              .with_columns(pl.col("notice_index").fill_null(-1), pl.col("seq").fill_null(0),
                            pl.col("label").fill_null(""), pl.col("title").fill_null(""))
              .sort(["unit_index", "notice_index", "seq", "task_id"], maintain_order=True))
    for (unit_index,), part in joined.group_by("unit_index", maintain_order=True):
        yield unit_index, list(zip(part["notice_index"].to_list(), part["task_id"].to_list(),
                                   part["label"].to_list(), part["title"].to_list(), part["roles"].to_list()))


def busiest(units: list[Unit], limit: int = 20) -> list[Unit]:
    order = roles()
    return sorted(units, key=lambda u: (*(-u.count(role) for role in order[:1]), -u.tasks, u.name, u.key))[:limit]
