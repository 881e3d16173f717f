"""Readers: one per file format, each giving a pipeline.core.document.Document.

``READERS`` maps a file suffix to its reader; the sources discovery (NOTICE_SUFFIXES) derives from it,
so a new format is a new reader and one entry here, never a change to the parser.
"""
from __future__ import annotations

import os

from pipeline.core.document import Document
from pipeline.core.readers.docx import read_docx
from pipeline.core.readers.html import read_html
from pipeline.core.readers.text import read_text
from pipeline.errors import PlanDataError

READERS = {
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
}


def read_document(data: bytes, file_name: str) -> Document:
    suffix = os.path.splitext(file_name)[1].lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise PlanDataError(f"no reader for {suffix or 'files without a suffix'} files", file=file_name)
    return reader(data, file_name)
