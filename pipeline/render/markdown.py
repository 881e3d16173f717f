"""Markdown from untrusted text: every cell and line is escaped before it is rendered."""
from __future__ import annotations

import html
import re

# Inline-syntax characters of CommonMark/GFM and the table separator. Block syntax
# (#, -, 1.) only acts at the start of a line, and every escaped value is inline.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# Control characters but the harmless tab (a terminal escape in a file name) shown as their
# Unicode control pictures: ␛ for ESC, ␡ for DEL; C1 controls as U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _control_picture(match: re.Match) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"


def escape(value: object) -> str:
    """One safe line: Markdown punctuation backslash-escaped, HTML escaped, newlines shown as ⏎,
    other control characters as visible symbols."""
    if value is None:
        return ""
    text = _CONTROL.sub(_control_picture, " ⏎ ".join(str(value).splitlines()))
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
