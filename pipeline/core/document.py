"""The document model every reader gives and the parser reads: paragraphs and tables in printed order.

A reader (pipeline/core/readers/) turns one file format into a Document; the parser never sees the
format. ``Document.text`` is the source rendered to one normalised text, published in the release:
every line number in a Document (and so in every published row) refers to a line of that text.
For a plain-text notice it is the decoded text itself, so its line numbers are the file's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.findings import Finding


@dataclass(frozen=True, slots=True)
class Paragraph:
    line: int  # 1-based line of ``Document.text``
    text: str  # as printed, edge spaces stripped; never holds a line break
    blank_before: bool = False  # a blank line precedes it (plain text: where table cells are delimited)


@dataclass(frozen=True, slots=True)
class Cell:
    """One position of a table's expanded grid. A merged cell (rowspan/colspan, vMerge/gridSpan, or a
    text-table cell printed once for several rows) gives the same text at every position it covers;
    ``origin`` is then the (row, col) where it was printed, and None where it was printed here."""
    text: str  # as printed; a line break inside the cell stays a line feed
    line_start: int
    line_end: int
    origin: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]  # every row has the same number of cells
    line_start: int
    line_end: int
    header_rows: int = 0  # leading rows known to be the header (0: the parser decides from the words)
    # Rows of a plain-text table whose cells could not be aligned with the header's columns: the reader
    # gave a warning finding naming the line; their task and number are read, their units are not.
    unaligned_rows: frozenset[int] = frozenset()


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    file: str  # the name shown in messages (the path inside the sources directory)
    format: str  # "text", "html" or "docx"
    encoding: str  # of the file (plain text), the page (HTML) or the XML (Word)
    text: str  # the rendered normalised text that every line number refers to
    blocks: tuple[Block, ...]
    findings: tuple[Finding, ...] = field(default=())

    def paragraphs(self) -> list[Paragraph]:
        return [block for block in self.blocks if isinstance(block, Paragraph)]

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
