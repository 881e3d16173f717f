"""Sections of a Markdown file that are generated: the text between two marker comments is replaced."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable


def replace_between(path: Path, start: str, end: str, content: str) -> bool:
    """Put ``content`` between the markers (each on its own line around it); True when the file changed."""
    text = path.read_text(encoding="utf-8")
    before, found, rest = text.partition(start)
    if not found or end not in rest:
        raise SystemExit(f"{path}: the markers {start} … {end} are missing")
    _, _, after = rest.partition(end)
    updated = f"{before}{start}\n\n{content.strip()}\n\n{end}{after}"
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


def main(start: str, end: str, generate: Callable[[], str]) -> None:
    """``python -m <module> README.md …``: regenerate the section in each file named."""
    for argument in sys.argv[1:]:
        changed = replace_between(Path(argument), start, end, generate())
        print(f"{argument}: {'updated' if changed else 'up to date'}")
