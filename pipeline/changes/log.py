"""The change rows of one release against another (see pipeline/changes/__init__.py)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from pipeline.changes.matching import MatchNode, match_nodes, position_keys
from pipeline.changes.textdiff import text_diff, value_change
from pipeline.changes.values import as_text, number_or_inf, strip_item_numbers
from pipeline.changes.vocabulary import CHANGES, ENTITIES, ROLES

# Provenance and line numbers: moving lines or re-saving the file is not a change.
IGNORED_FIELDS = frozenset({
    "source_sha256", "source_file", "source_bytes", "source_lines", "source_encoding", "source_format",
    "rendered_sha256",
    "line", "line_start", "line_end",
})
INPUT_TABLES = ("documents", "sections", "tasks", "assignments")  # what a change log is computed from
SECTION_TEXT_FIELDS = ("heading", "body")
TASK_TEXT_FIELDS = ("title", "text")
# The deadline as printed: its due date and kind are read from it, so they change with it.
TASK_DEADLINE_FIELD = "deadline"


@dataclass
class _Row:
    entity: str
    change: str
    old_id: str
    new_id: str
    detail: str
    key: tuple

    def as_dict(self) -> dict:
        return {"entity": self.entity, "change": self.change, "old_id": self.old_id,
                "new_id": self.new_id, "detail": self.detail}


class _DocDiff:
    def __init__(self, doc_id: str, old: dict[str, list[dict]], new: dict[str, list[dict]], qualify: bool):
        self.doc_id = doc_id
        self.old = old
        self.new = new
        self.prefix = f"{doc_id}/" if qualify else ""
        self.rows: list[_Row] = []

    def add(self, entity: str, change: str, old_id: str, new_id: str, detail: str, key: tuple) -> None:
        self.rows.append(_Row(entity, change, old_id, new_id, detail, key))

    def qid(self, node_id: str) -> str:
        return f"{self.prefix}{node_id}" if node_id else ""

    # documents
    def documents(self) -> None:
        old = self.old["documents"][0] if self.old["documents"] else {}
        new = self.new["documents"][0] if self.new["documents"] else {}
        fields = [name for name in [*new, *(k for k in old if k not in new)]
                  if name != "doc_id" and name not in IGNORED_FIELDS]
        for position, name in enumerate(fields):
            before, after = as_text(old.get(name)), as_text(new.get(name))
            # A flag that a release from before it existed does not hold (null) reads as false.
            if before != after and {old.get(name), new.get(name)} != {None, False}:
                self.add("document", "metadata_changed", self.doc_id, self.doc_id,
                         value_change(name, before, after), (position,))

    # sections
    def sections(self) -> None:
        def nodes(rows: list[dict]) -> list[MatchNode]:
            return [MatchNode(i, as_text(r.get("section_id")), _section_group(r),
                          tuple(as_text(r.get(f)) for f in SECTION_TEXT_FIELDS), r)
                    for i, r in enumerate(_ordered(rows, "line_start"))]

        old, new = nodes(self.old["sections"]), nodes(self.new["sections"])
        pairs = match_nodes(old, new)
        old_keys, new_keys = position_keys(old, new, pairs)
        matched_new = set(pairs.values())
        for o in old:
            if o.index not in pairs:
                self.add("section", "removed", self.qid(o.id), "", _node_title(o.row, "heading"), old_keys[o.index])
        for n in new:
            if n.index not in matched_new:
                self.add("section", "added", "", self.qid(n.id), _node_title(n.row, "heading"), new_keys[n.index])
        for o_index, n_index in pairs.items():
            o, n = old[o_index], new[n_index]
            key = new_keys[n_index]
            if o.id != n.id:
                parts = []
                if as_text(o.row.get("label")) != as_text(n.row.get("label")):
                    parts.append(f"{as_text(o.row.get('label'))} → {as_text(n.row.get('label'))}")
                if as_text(o.row.get("parent_id")) != as_text(n.row.get("parent_id")):
                    parts.append(f"parent {as_text(o.row.get('parent_id'))} → {as_text(n.row.get('parent_id'))}")
                parts.append(f"「{as_text(n.row.get('heading'))}」")
                self.add("section", "renumbered", self.qid(o.id), self.qid(n.id), " ".join(parts), key)
            if o.content != n.content:
                self.add("section", "text_changed", self.qid(o.id), self.qid(n.id),
                         _fields_diff(SECTION_TEXT_FIELDS, o.content, n.content), key)

    # tasks and their units
    def tasks(self) -> None:
        def nodes(rows: list[dict]) -> list[MatchNode]:
            return [MatchNode(i, as_text(r.get("task_id")), "",
                          (as_text(r.get("title")), strip_item_numbers(as_text(r.get("text")))), r)
                    for i, r in enumerate(_ordered(rows, "seq"))]

        old, new = nodes(self.old["tasks"]), nodes(self.new["tasks"])
        pairs = match_nodes(old, new)
        old_keys, new_keys = position_keys(old, new, pairs)
        old_units, new_units = _units_by_task(self.old["assignments"]), _units_by_task(self.new["assignments"])
        matched_new = set(pairs.values())
        for o in old:
            if o.index not in pairs:
                key = old_keys[o.index]
                self.add("task", "removed", self.qid(o.id), "", _node_title(o.row, "title"), key)
                for unit in old_units.get(o.id, []):
                    self.add("assignment", "removed", self.assignment_id(o.id, unit), "", _unit_detail(unit),
                             key + _unit_key(unit, 0))
        for n in new:
            if n.index not in matched_new:
                key = new_keys[n.index]
                self.add("task", "added", "", self.qid(n.id), _node_title(n.row, "title"), key)
                for unit in new_units.get(n.id, []):
                    self.add("assignment", "added", "", self.assignment_id(n.id, unit), _unit_detail(unit),
                             key + _unit_key(unit, 1))
        for o_index, n_index in pairs.items():
            o, n = old[o_index], new[n_index]
            key = new_keys[n_index]
            if o.id != n.id:
                section_before, section_after = as_text(o.row.get("section_id")), as_text(n.row.get("section_id"))
                moved = f"section {section_before} → {section_after} " if section_before != section_after else ""
                self.add("task", "renumbered", self.qid(o.id), self.qid(n.id),
                         f"{moved}「{as_text(n.row.get('title'))}」", key)
            if o.content != n.content:
                self.add("task", "text_changed", self.qid(o.id), self.qid(n.id),
                         _fields_diff(TASK_TEXT_FIELDS, o.content, n.content), key)
            before, after = as_text(o.row.get(TASK_DEADLINE_FIELD)), as_text(n.row.get(TASK_DEADLINE_FIELD))
            if before != after:
                self.add("task", "deadline_changed", self.qid(o.id), self.qid(n.id),
                         value_change(TASK_DEADLINE_FIELD, before, after), key)
            self.units(o.id, n.id, old_units.get(o.id, []), new_units.get(n.id, []), key)

    def units(self, old_task: str, new_task: str, old: list[dict], new: list[dict], key: tuple) -> None:
        tokens: dict[str, list[str]] = defaultdict(list)
        for role in _roles(old, new):
            before = [u for u in old if u["role"] == role]
            after = [u for u in new if u["role"] == role]
            surplus_old = Counter(u["unit_label"] for u in before) - Counter(u["unit_label"] for u in after)
            surplus_new = Counter(u["unit_label"] for u in after) - Counter(u["unit_label"] for u in before)
            kept_old, kept_new = [], []
            for unit in before:  # the last occurrences of a label are the ones that left
                if surplus_old[unit["unit_label"]] and _remaining(before, unit) <= surplus_old[unit["unit_label"]]:
                    self.add("assignment", "removed", self.assignment_id(old_task, unit), "", _unit_detail(unit),
                             key + _unit_key(unit, 0))
                    tokens[role].append(f"-{unit['unit_label']} [{_unit_id(unit)}]")
                else:
                    kept_old.append(unit)
            added = []
            for unit in after:
                if surplus_new[unit["unit_label"]] and _remaining(after, unit) <= surplus_new[unit["unit_label"]]:
                    self.add("assignment", "added", "", self.assignment_id(new_task, unit), _unit_detail(unit),
                             key + _unit_key(unit, 1))
                    added.append(f"+{unit['unit_label']} [{_unit_id(unit)}]")
                else:
                    kept_new.append(unit)
            tokens[role].extend(added)
            kept_by_label: dict[str, list[dict]] = defaultdict(list)
            for unit in kept_new:
                kept_by_label[unit["unit_label"]].append(unit)
            for before_unit in kept_old:  # the same label on both sides: has its unit_id moved?
                after_unit = kept_by_label[before_unit["unit_label"]].pop(0)
                if before_unit["unit_id"] != after_unit["unit_id"]:
                    self.add("assignment", "metadata_changed", self.assignment_id(old_task, before_unit),
                             self.assignment_id(new_task, after_unit),
                             f"unit_id: {_unit_id(before_unit)} → {_unit_id(after_unit)}",
                             key + _unit_key(after_unit, 2))
        listed = [f"{role}: {' '.join(tokens[role])}" for role in tokens if tokens[role]]
        if listed:
            self.add("task", "units_changed", self.qid(old_task), self.qid(new_task), "; ".join(listed), key)

    def assignment_id(self, task_id: str, unit: dict) -> str:
        # The n-th printing of a label in one task and role is #n: counting equal labels only, the id of a
        # repeated unit does not move when other units are added or removed before it.
        repeat = f"#{unit['occurrence']}" if unit["occurrence"] > 1 else ""
        return f"{self.prefix}{task_id}/{unit['role']}/{unit['unit_label']}{repeat}"


def _section_group(row: dict) -> str:
    """Sections are paired within their level; at level 0 (outside the outline's numbering) within their
    kind, so that an attachment is never taken for a table or a table's category row."""
    level = as_text(row.get("level"))
    return f"{level}/{as_text(row.get('kind'))}" if level == "0" else level


def _ordered(rows: list[dict], field: str) -> list[dict]:
    """Document order: by line_start (sections) or seq (tasks), ties in the given order."""
    return [row for _, row in sorted(enumerate(rows), key=lambda pair: (number_or_inf(pair[1].get(field)), pair[0]))]


def _node_title(row: dict, heading_field: str) -> str:
    return f"{as_text(row.get('label'))}{as_text(row.get(heading_field))}"


def _fields_diff(names: tuple[str, ...], old: tuple[str, ...], new: tuple[str, ...]) -> str:
    return "; ".join(f"{name}: {text_diff(a, b)}" for name, a, b in zip(names, old, new) if a != b)


def _units_by_task(rows: list[dict]) -> dict[str, list[dict]]:
    by_task: dict[str, list[dict]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_task[as_text(row.get("task_id"))].append({
            "role": as_text(row.get("role")), "role_label": as_text(row.get("role_label")),
            "unit_label": as_text(row.get("unit_label")), "unit_id": as_text(row.get("unit_id")),
            "position": number_or_inf(row.get("position")), "index": index,
        })
    for units in by_task.values():
        units.sort(key=lambda u: (_role_rank(u["role"]), u["position"], u["index"]))
        printed: Counter[tuple[str, str]] = Counter()
        for unit in units:
            printed[unit["role"], unit["unit_label"]] += 1
            unit["occurrence"] = printed[unit["role"], unit["unit_label"]]
    return by_task


def _role_rank(role: str) -> tuple[int, str]:
    return (ROLES.index(role), "") if role in ROLES else (len(ROLES), role)


def _roles(old: list[dict], new: list[dict]) -> list[str]:
    return sorted({u["role"] for u in old} | {u["role"] for u in new}, key=_role_rank)


def _remaining(units: list[dict], unit: dict) -> int:
    """How many units with this label stand at or after ``unit`` in the list."""
    at = units.index(unit)
    return sum(1 for other in units[at:] if other["unit_label"] == unit["unit_label"])


def _unit_id(unit: dict) -> str:
    return unit["unit_id"] or "unresolved"


def _unit_detail(unit: dict) -> str:
    return f"{unit['role_label'] or unit['role']} {unit['unit_label']} [{_unit_id(unit)}]"


def _unit_key(unit: dict, order: int) -> tuple:
    return (_role_rank(unit["role"]), order, unit["position"], unit["index"])


def _split_by_doc(tables: dict[str, list[dict]]) -> dict[str, dict[str, list[dict]]]:
    docs: dict[str, dict[str, list[dict]]] = {}
    for name in INPUT_TABLES:
        for row in tables.get(name) or []:
            doc = docs.setdefault(as_text(row.get("doc_id")), {n: [] for n in INPUT_TABLES})
            doc[name].append(row)
    return docs


def _doc_title(doc: dict[str, list[dict]]) -> str:
    return as_text(doc["documents"][0].get("title")) if doc["documents"] else ""


def compute_changes(old: dict[str, list[dict]], new: dict[str, list[dict]], *, qualify: bool | None = None,
                    first: bool | None = None) -> list[dict]:
    """Change rows from release ``old`` to release ``new`` (see the module docstring).

    Returns dicts with the keys of CHANGE_COLUMNS, all strings, ordered by entity
    (document, section, task, assignment), then doc_id, then position in the new
    release. ``compute_changes({}, new)`` is ``[]``: a first release has no change log.

    A build passes only the notices that changed; ``qualify`` (ids carry the doc_id) and
    ``first`` (no earlier release) then say what the whole releases would have said.
    """
    old_docs, new_docs = _split_by_doc(old or {}), _split_by_doc(new or {})
    if (not old_docs) if first is None else first:
        return []
    if qualify is None:
        qualify = len(old_docs.keys() | new_docs.keys()) > 1
    rows: list[tuple] = []
    for doc_id in sorted(old_docs.keys() | new_docs.keys()):
        if doc_id not in new_docs:
            found = [_Row("document", "removed", doc_id, "", _doc_title(old_docs[doc_id]), ())]
        elif doc_id not in old_docs:
            found = [_Row("document", "added", "", doc_id, _doc_title(new_docs[doc_id]), ())]
        else:
            diff = _DocDiff(doc_id, old_docs[doc_id], new_docs[doc_id], qualify)
            diff.documents()
            diff.sections()
            diff.tasks()
            found = diff.rows
        for row in found:
            rows.append(((ENTITIES.index(row.entity), doc_id, row.key, CHANGES.index(row.change)), row))
    rows.sort(key=lambda pair: pair[0])
    return [row.as_dict() for _, row in rows]
