"""Cells as comparable strings, whichever format a release was read from."""
from __future__ import annotations

import datetime as dt
import math

from pipeline.core.marks import ITEM


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


def number_or_inf(value) -> float:
    text = as_text(value)
    try:
        return float(text)
    except ValueError:
        return math.inf


def strip_item_numbers(text: str) -> str:
    """``1.健全…\\n2.建立…`` → ``健全…\\n建立…``: printed item numbers move with renumbering."""
    lines = []
    for line in text.split("\n"):
        found = ITEM.match(line)
        lines.append(found.group("rest") if found and found.group("rest") else line)
    return "\n".join(lines)
