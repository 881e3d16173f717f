"""The change log as an aligned plain-text table, for `plandata diff` in a terminal."""
from __future__ import annotations

import unicodedata
from typing import Iterable

from pipeline.changes.values import as_text
from pipeline.changes.vocabulary import CHANGE_COLUMNS


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
