"""Query results as an aligned plain-text table for a terminal, with the source text made harmless.

Cells hold notice text, which is untrusted: an escape sequence in it could move the cursor, retitle the
window or hide the rows after it, and a bidi override could reorder what is shown. Every control and
format character is therefore shown as a visible escape (\\x1b, \\n, \\u202e) instead of being written."""
from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal


CELL_WIDTH = 60  # display columns a cell is cut to, so that a task's long text keeps rows on one line
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two, combining marks none
    (the same rule as plandata diff's table, pipeline/render/changes_table.py, which imports the change log)."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
               for char in text)


def escape(text: str) -> str:
    """Every character of Unicode category C (control, format, private, unassigned, surrogate) escaped."""
    out = []
    for char in text:
        if unicodedata.category(char)[0] != "C":
            out.append("\\\\" if char == "\\" else char)
        elif char in NAMED:
            out.append(NAMED[char])
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def cell_text(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cell_text(item) for item in value) + "]"
    return escape(str(value))


def cut(text: str, width: int | None) -> str:
    if width is None or display_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        step = display_width(char)
        if used + step > width - 1:
            break
        kept.append(char)
        used += step
    return "".join(kept) + "…"


def format_table(columns: list[str], rows: list[tuple], cell_width: int | None = CELL_WIDTH) -> str:
    """Header, a rule, one line per row, then the row count; CJK text aligned by display width."""
    header = [cut(escape(name), cell_width) for name in columns]
    body = [[cut(cell_text(value), cell_width) for value in row] for row in rows]
    widths = [max(display_width(line[i]) for line in [header, *body]) for i in range(len(columns))]

    def render(line: list[str]) -> str:
        return "  ".join(text + " " * (width - display_width(text)) for text, width in zip(line, widths)).rstrip()

    lines = [render(header), render(["-" * width for width in widths]), *(render(line) for line in body)]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)
