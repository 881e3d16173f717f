"""Plain text -> Document: one paragraph per non-blank line, except where a run of them forms a table
(text_tables.py); the rendered text is the decoded text."""
from __future__ import annotations

from pipeline.core.decode import decode_source
from pipeline.core.document import Document, Paragraph
from pipeline.core.lines import split_lines
from pipeline.core.readers.text_tables import read_text_tables


def text_paragraphs(text: str) -> list[Paragraph]:
    paragraphs, blank = [], False
    for line in split_lines(text):
        if not line.text:
            blank = True
            continue
        paragraphs.append(Paragraph(line.number, line.text, blank))
        blank = False
    return paragraphs


def read_text(data: bytes, file_name: str) -> Document:
    decoded = decode_source(data, file_name)
    blocks, findings = read_text_tables(text_paragraphs(decoded.text))
    return Document(file_name, "text", decoded.encoding, decoded.text, tuple(blocks), tuple(findings))
