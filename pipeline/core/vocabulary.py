"""The vocabulary of the genre, read from vocabulary.csv: numbering marks, role labels and verbs,
conventions, qualifiers and collectives. The parser and the README's readings table both read it,
so a new layout is mostly a new row."""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).with_name("vocabulary.csv")
KINDS = ("mark", "label", "misprint", "verb", "joiner", "qualifier", "convention", "scope", "open",
         "collective", "organ", "role_column", "task_column", "number_column", "category_column",
         "deadline_column", "name_end", "deadline_label", "deadline_form", "recurring", "standing")
COLUMN_KINDS = ("role_column", "task_column", "number_column", "category_column", "deadline_column")
ROLES = ("lead", "co", "responsible", "guide")


@dataclass(frozen=True)
class Entry:
    kind: str
    printed: str
    role: str | None
    level: int | None
    pattern: str | None
    reading: str


@functools.cache
def entries() -> tuple[Entry, ...]:
    rows = []
    with PATH.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if row["kind"] not in KINDS or (row["role"] and row["role"] not in ROLES):
                raise ValueError(f"{PATH.name}:{number}: unknown kind or role in {row}")
            rows.append(Entry(row["kind"], row["printed"], row["role"] or None,
                              int(row["level"]) if row["level"] else None, row["pattern"] or None,
                              row["reading"]))
    return tuple(rows)


@functools.cache
def of_kind(kind: str) -> tuple[Entry, ...]:
    return tuple(entry for entry in entries() if entry.kind == kind)


@functools.cache
def roles_of(kind: str) -> dict[str, str]:
    return {entry.printed: entry.role for entry in of_kind(kind)}


@functools.cache
def longest_first(kind: str) -> tuple[str, ...]:
    """Printed forms of a kind, longest first, so 牵头负责 is tried before 负责."""
    return tuple(sorted((entry.printed for entry in of_kind(kind)), key=len, reverse=True))


_HEADER_SPACE = re.compile(r"\s+")


def header_key(printed: str) -> str:
    """A table header cell for matching: without the spaces that printers put between its characters
    (主 要 内 容) and NFKC-folded. The stored text keeps the cell as printed."""
    return unicodedata.normalize("NFKC", _HEADER_SPACE.sub("", printed)).strip()


@functools.cache
def _columns() -> dict[str, Entry]:
    return {header_key(entry.printed): entry for kind in COLUMN_KINDS for entry in of_kind(kind)}


def column_of(printed: str) -> Entry | None:
    """The vocabulary entry of a table header cell (its kind says role, task, number, category or
    deadline column; a role column's role is its reading), or None for a column the genre does not name."""
    return _columns().get(header_key(printed))
