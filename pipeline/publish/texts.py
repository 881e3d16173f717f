"""texts/<doc_id>.txt: each notice's source rendered to the one normalised text its line numbers refer to.

A row's line span (sections, tasks, findings, …) is a span of this text, so a reader who opens it finds
the row: for a plain-text notice it is the decoded file; for a web page or a Word file, the rendering
that pipeline/core/readers/render.py defines (README, "How web pages and Word files are read").
``documents.rendered_sha256`` is the sha256 of the file's bytes (the text in UTF-8)."""
from __future__ import annotations

from pathlib import Path

from pipeline.core.readers import read_document

TEXTS_DIR = "texts"


def text_path(doc_id: str) -> str:
    return f"{TEXTS_DIR}/{doc_id}.txt"


def write_rendered_texts(staging: Path, notices: list) -> list[str]:
    """Writes each notice's rendered text (``notices``: extract.Notice, already read); returns the
    paths written, relative to staging."""
    written = []
    for notice in notices:
        relative = text_path(notice.doc_id)
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # newline="" : the text keeps its own line ends, so its sha256 is rendered_sha256.
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(read_document(notice.source.data, notice.source.name).text)
        written.append(relative)
    return written
