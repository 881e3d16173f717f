"""Writes a release's unit pages (units/*.html) and its search (search.html, search-index/*.js)."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa

from pipeline.site.search_index import search_files
from pipeline.site.search_page import SEARCH_PAGE, search_page
from pipeline.site.unit_pages import unit_pages
from pipeline.site.units_index import Unit


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def write_unit_pages_and_search(staging: Path, tables: dict[str, pa.Table], units: list[Unit], pairs: pl.DataFrame,
                                documents: list[dict], release_label: str,
                                place: Callable[[str, str, Callable[[Path], None]], None] | None) -> list[Path]:
    """A unit page is keyed by its own bytes (it names no release), so ``place`` hard-links an
    unchanged one from the previous release instead of writing it again."""
    written = []
    for relative, text in unit_pages(units, pairs, documents, tables.get("tasks")):
        if place is None:
            _write(staging / relative, text)
        else:
            key = "unit-page:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
            place(relative, key, lambda path, text=text: _write(path, text))
        written.append(staging / relative)
    for relative, text in search_files(tables, documents):
        _write(staging / relative, text)
        written.append(staging / relative)
    _write(staging / SEARCH_PAGE, search_page(release_label))
    written.append(staging / SEARCH_PAGE)
    return written
