"""The change log between two releases: what an amended notice changed, row by row.

Pure: takes the tables of two releases (the shape of ``NoticeRows.tables``: table
name -> list of row dicts, possibly several documents) and returns change rows
``entity, change, old_id, new_id, detail``, all strings. No Dagster, no file I/O.

How nodes are matched (per doc_id, sections and tasks separately):

1. same id and same content (sections: level, heading, body; tasks: title, text)
   -> unchanged;
2. identical content under another id -> ``renumbered`` (deleting 四（七） turns
   四（八） into 四（七）: one ``removed`` and one ``renumbered``, and every child of
   a renumbered section is renumbered too, 3.6.2 -> 3.5.2);
3. similar content (character similarity >= SIMILARITY, same level; the best
   pairs first, the same id preferred on ties; compared only within WINDOW
   ranks among the unmatched nodes, which bounds the work on a wholesale
   rewrite) -> ``renumbered`` when the id moved, plus ``text_changed``;
4. the same id for whatever is left -> ``text_changed`` (a rewrite in place);
5. the rest is ``removed`` or ``added``.

A node that moved and was edited gives two rows, ``renumbered`` then
``text_changed``, so each row says one thing and the log can be filtered by kind.

Task texts include the printed item numbers (``2.建立廉情测评办法。…``); those are
stripped before comparing, so renumbering an item never reads as a text edit.

Units: per matched task and role, the printed unit labels are compared as
multisets. A unit that joins or leaves gives an ``assignment`` row (id
``task_id/role/unit_label``) and the task one ``units_changed`` row listing all of
its unit changes. Positions are ignored: a unit inserted at the head of a list
shifts the others, which is not a change; a reordering alone is not reported.
The same label resolving to another unit_id (registry edited, issue date moved)
is an ``assignment`` ``metadata_changed`` row and does not touch the task.
A removed or added task brings ``removed``/``added`` rows for all its units.

Documents: ``metadata_changed`` per changed header field. A document that is new
in the later release gives one ``document added`` row (not a row for each of its
sections), a dropped one one ``document removed`` row. The first release (empty
``old``) has an empty change log.

Ignored everywhere: provenance (source_*), line numbers, task ``seq``, the
printed label of a node whose id did not move, role_label and positions.

Ids: as specified, without the doc_id while both releases hold one document; with
several documents, section, task and assignment ids are qualified as
``doc_id/section_id`` (``doc_id/task_id/role/unit_label``) so rows stay unambiguous.
"""
from __future__ import annotations

import datetime as dt
import difflib
import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from pipeline.core.marks import ITEM

CHANGE_COLUMNS = ("entity", "change", "old_id", "new_id", "detail")
ENTITIES = ("document", "section", "task", "assignment")
CHANGES = ("removed", "added", "renumbered", "text_changed", "units_changed", "metadata_changed")
ROLES = ("lead", "co", "responsible")

# Provenance and line numbers: moving lines or re-saving the file is not a change.
IGNORED_FIELDS = frozenset({
    "source_sha256", "source_file", "source_bytes", "source_lines", "source_encoding",
    "line", "line_start", "line_end",
})
SECTION_TEXT_FIELDS = ("heading", "body")
TASK_TEXT_FIELDS = ("title", "text")
SIMILARITY = 0.6  # character similarity for "the same node, edited"
WINDOW = 40  # unmatched nodes are compared for similarity only with those of about the same rank
DIFF_LIMIT = 200  # characters of one field's text diff
FRAGMENT_LIMIT = 80  # characters of one quoted fragment in a diff
MERGE_GAP = 3  # unchanged runs shorter than this between two edits are folded into one edit
SHORT_VALUE = 40  # header values up to this length are shown whole: a → b
EMPTY = "(empty)"


# -- values -----------------------------------------------------------------------------
def as_text(value) -> str:
    """A cell as a string, the same whether the release was read from Python, CSV, Parquet or DuckDB."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN, NaT
            return ""
    except TypeError:  # pandas.NA refuses to be a bool
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _number(value) -> float:
    text = as_text(value)
    try:
        return float(text)
    except ValueError:
        return math.inf


def _strip_item_numbers(text: str) -> str:
    """``1.健全…\\n2.建立…`` → ``健全…\\n建立…``: printed item numbers move with renumbering."""
    lines = []
    for line in text.split("\n"):
        found = ITEM.match(line)
        lines.append(found.group("rest") if found and found.group("rest") else line)
    return "\n".join(lines)


# -- text diff ----------------------------------------------------------------------------
def _clip(fragment: str) -> str:
    fragment = fragment.replace("\r\n", "\n").replace("\n", "↵").replace("\t", " ")
    return fragment if len(fragment) <= FRAGMENT_LIMIT else fragment[:FRAGMENT_LIMIT] + "…"


def text_diff(old: str, new: str, limit: int = DIFF_LIMIT) -> str:
    """A short character diff: ``-「科学」 +「正确」``; insertions ``+「…」``, deletions ``-「…」``.

    Unchanged runs shorter than MERGE_GAP characters between two edits are folded
    into one edit, so a rewritten phrase reads as one replacement rather than
    confetti of single characters. The result is cut to ``limit`` characters.
    """
    # The common head and tail are cut off first: an amendment edits a few words of a long text.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_middle, new_middle = old[head:len(old) - tail], new[head:len(new) - tail]
    # Character matching without the junk heuristic is best for Chinese, but slow on long rewrites.
    junk = min(len(old_middle), len(new_middle)) > 1000
    matcher = difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=junk)
    regions: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if regions and i1 - regions[-1][1] < MERGE_GAP:
            regions[-1][1], regions[-1][3] = i2, j2
        else:
            regions.append([i1, i2, j1, j2])
    parts = []
    for i1, i2, j1, j2 in regions:
        removed, added = old[i1:i2], new[j1:j2]
        piece = ([f"-「{_clip(removed)}」"] if removed else []) + ([f"+「{_clip(added)}」"] if added else [])
        parts.append(" ".join(piece))
    result = " ".join(parts)
    return result if len(result) <= limit else result[:limit - 1] + "…"


def _value_change(name: str, old: str, new: str) -> str:
    if len(old) <= SHORT_VALUE and len(new) <= SHORT_VALUE and "\n" not in old + new:
        return f"{name}: {old or EMPTY} → {new or EMPTY}"
    return f"{name}: {text_diff(old, new)}"


# -- matching -----------------------------------------------------------------------------
@dataclass
class _Node:
    index: int  # position in its release's document order
    id: str
    group: str  # only nodes of one group are paired by similarity (the level of a section)
    content: tuple[str, ...]
    row: dict

    @cached_property
    def joined(self) -> str:
        return "\n".join(self.content)


def _similarity(old: _Node, new: _Node) -> float:
    matcher = difflib.SequenceMatcher(None, old.joined, new.joined, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY or matcher.quick_ratio() < SIMILARITY:
        return 0.0
    return matcher.ratio()


def match_nodes(old: list[_Node], new: list[_Node]) -> dict[int, int]:
    """old index -> new index, by content first and by id last (see the module docstring)."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()

    def pair(o: _Node, n: _Node) -> None:
        pairs[o.index] = n.index
        taken.add(n.index)

    new_by_id = {n.id: n for n in new}
    for o in old:  # 1. unchanged
        n = new_by_id.get(o.id)
        if n is not None and n.index not in taken and (n.group, n.content) == (o.group, o.content):
            pair(o, n)
    by_content: dict[tuple, list[_Node]] = defaultdict(list)
    for n in new:  # 2. identical content, another id
        if n.index not in taken:
            by_content[(n.group, n.content)].append(n)
    for o in old:
        waiting = by_content.get((o.group, o.content))
        if o.index not in pairs and waiting:
            pair(o, waiting.pop(0))
    candidates = []  # 3. similar content, within a window of the same rank among what is left
    rest_old: dict[str, list[_Node]] = defaultdict(list)
    rest_new: dict[str, list[_Node]] = defaultdict(list)
    for o in old:
        if o.index not in pairs:
            rest_old[o.group].append(o)
    for n in new:
        if n.index not in taken:
            rest_new[n.group].append(n)
    for group, olds in rest_old.items():
        news = rest_new.get(group, [])
        for rank, o in enumerate(olds):
            for n in news[max(rank - WINDOW, 0):rank + WINDOW + 1]:
                ratio = _similarity(o, n)
                if ratio >= SIMILARITY:
                    candidates.append((-ratio, o.id != n.id, o.index, n.index, o, n))
    for *_, o, n in sorted(candidates, key=lambda c: c[:4]):
        if o.index not in pairs and n.index not in taken:
            pair(o, n)
    for o in old:  # 4. same id, rewritten in place
        n = new_by_id.get(o.id)
        if o.index not in pairs and n is not None and n.index not in taken and n.group == o.group:
            pair(o, n)
    return pairs


def _position_keys(old: list[_Node], new: list[_Node], pairs: dict[int, int]) -> tuple[dict, dict]:
    """Sort keys in the new release's order; a removed node sorts just after the new position
    of the node that preceded it in the old release."""
    new_keys = {n.index: (n.index, 0, 0) for n in new}
    old_keys = {}
    anchor = -1
    for o in old:
        if o.index in pairs:
            anchor = pairs[o.index]
            old_keys[o.index] = new_keys[anchor]
        else:
            old_keys[o.index] = (anchor, 1, o.index)
    return old_keys, new_keys


# -- per document -------------------------------------------------------------------------
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
            if before != after:
                self.add("document", "metadata_changed", self.doc_id, self.doc_id,
                         _value_change(name, before, after), (position,))

    # sections
    def sections(self) -> None:
        def nodes(rows: list[dict]) -> list[_Node]:
            return [_Node(i, as_text(r.get("section_id")), as_text(r.get("level")),
                          tuple(as_text(r.get(f)) for f in SECTION_TEXT_FIELDS), r)
                    for i, r in enumerate(_ordered(rows, "line_start"))]

        old, new = nodes(self.old["sections"]), nodes(self.new["sections"])
        pairs = match_nodes(old, new)
        old_keys, new_keys = _position_keys(old, new, pairs)
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
        def nodes(rows: list[dict]) -> list[_Node]:
            return [_Node(i, as_text(r.get("task_id")), "",
                          (as_text(r.get("title")), _strip_item_numbers(as_text(r.get("text")))), r)
                    for i, r in enumerate(_ordered(rows, "seq"))]

        old, new = nodes(self.old["tasks"]), nodes(self.new["tasks"])
        pairs = match_nodes(old, new)
        old_keys, new_keys = _position_keys(old, new, pairs)
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
        return f"{self.prefix}{task_id}/{unit['role']}/{unit['unit_label']}"


def _ordered(rows: list[dict], field: str) -> list[dict]:
    """Document order: by line_start (sections) or seq (tasks), ties in the given order."""
    return [row for _, row in sorted(enumerate(rows), key=lambda pair: (_number(pair[1].get(field)), pair[0]))]


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
            "position": _number(row.get("position")), "index": index,
        })
    for units in by_task.values():
        units.sort(key=lambda u: (_role_rank(u["role"]), u["position"], u["index"]))
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
    for name in ("documents", "sections", "tasks", "assignments"):
        for row in tables.get(name) or []:
            doc = docs.setdefault(as_text(row.get("doc_id")), {n: [] for n in
                                                               ("documents", "sections", "tasks", "assignments")})
            doc[name].append(row)
    return docs


def _doc_title(doc: dict[str, list[dict]]) -> str:
    return as_text(doc["documents"][0].get("title")) if doc["documents"] else ""


# -- public -------------------------------------------------------------------------------
def compute_changes(old: dict[str, list[dict]], new: dict[str, list[dict]]) -> list[dict]:
    """Change rows from release ``old`` to release ``new`` (see the module docstring).

    Returns dicts with the keys of CHANGE_COLUMNS, all strings, ordered by entity
    (document, section, task, assignment), then doc_id, then position in the new
    release. ``compute_changes({}, new)`` is ``[]``: a first release has no change log.
    """
    old_docs, new_docs = _split_by_doc(old or {}), _split_by_doc(new or {})
    if not old_docs:
        return []
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


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _cell(value) -> str:
    return " ".join(as_text(value).split())


def format_changes_table(rows: Iterable[dict]) -> str:
    """A plain-text table for the terminal (``plandata diff OLD NEW``), columns aligned for CJK text."""
    cells = [[_cell(row.get(column)) for column in CHANGE_COLUMNS] for row in rows]
    if not cells:
        return "No changes."
    table = [list(CHANGE_COLUMNS), *cells]
    widths = [max(display_width(line[i]) for line in table) for i in range(len(CHANGE_COLUMNS))]
    rule = ["-" * width for width in widths]

    def render(line: list[str]) -> str:
        padded = [text + " " * (width - display_width(text)) for text, width in zip(line[:-1], widths)]
        return "  ".join([*padded, line[-1]]).rstrip()

    return "\n".join(render(line) for line in [table[0], rule, *table[1:]])
