"""Markdown from untrusted text: every cell and line is escaped before it is rendered."""
from __future__ import annotations

import html
import re

# Inline-syntax characters of CommonMark/GFM and the table separator. Block syntax
# (#, -, 1.) only acts at the start of a line, and every escaped value is inline.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(value: object) -> str:
    """One safe line: Markdown punctuation backslash-escaped, HTML escaped, newlines shown as ⏎."""
    if value is None:
        return ""
    text = " ⏎ ".join(str(value).splitlines())
    return _SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def table(columns: list[str], rows: list[list[object]], max_chars: int = 60) -> str:
    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        if len(text) > max_chars:
            text = text[: max_chars - 1] + "…"
        return escape(text)

    lines = ["| " + " | ".join(escape(c) for c in columns) + " |",
             "| " + " | ".join("---" for _ in columns) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
