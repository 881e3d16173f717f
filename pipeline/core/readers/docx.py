"""A Word file (.docx) -> Document, read as the zip of XML parts it is (zipfile + lxml).

Paragraphs and tables come in document order; a paragraph starts with its automatic number as Word
prints it (docx_numbering.py); merged cells (``w:gridSpan``, ``w:vMerge``) are expanded into the grid.
Deleted text (tracked changes), hidden runs, field codes and drawings (text boxes) are not printed text
and are skipped. A one-row or one-column table, or one whose cells nest a table or hold many paragraphs,
boxes the article: its cells are read as paragraphs, as in the HTML reader.

The XML parts are the attack surface of a zip: each part's declared size and its actual expanded size
are checked against ``MAX_EXPANDED_BYTES`` (all parts read, together) while reading, and the XML parser
neither resolves entities nor loads DTDs.
"""
from __future__ import annotations

import io
import zipfile
import zlib

import lxml.etree

from pipeline.core.document import Document
from pipeline.core.readers.docx_numbering import W, Numbering, Styles
from pipeline.core.readers.render import RawCell, RawTable, clean_line, render
from pipeline.errors import PlanDataError

# A notice's document.xml is a few MB at most, even with heavy Word formatting.
MAX_EXPANDED_BYTES = 50 * 1024 * 1024
DOCUMENT_PART = "word/document.xml"
NUMBERING_PART = "word/numbering.xml"
STYLES_PART = "word/styles.xml"
LAYOUT_CELL_PARAGRAPHS = 10
LAYOUT_CELL_CHARS = 3000

_CONTAINERS = {W + name for name in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple", "sdt",
                                     "sdtContent", "moveTo", "dir", "bdo")}
_BLOCK_CONTAINERS = {W + name for name in ("sdt", "sdtContent", "customXml", "ins", "moveTo")}


class _Budget:
    def __init__(self, file: str):
        self.file = file
        self.left = MAX_EXPANDED_BYTES

    def refuse(self, part: str, declared: int | None = None) -> PlanDataError:
        what = f"declares {declared} bytes expanded, past" if declared is not None else "expands past"
        return PlanDataError(f"{part} {what} the {MAX_EXPANDED_BYTES}-byte limit for a Word file's XML "
                             "(a damaged file or a zip bomb)", file=self.file)


def _read_part(archive: zipfile.ZipFile, name: str, budget: _Budget) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > budget.left:
        raise budget.refuse(name, info.file_size)
    try:
        with archive.open(info) as handle:
            # The declared size may lie: never expand more than the budget, whatever the header says.
            data = handle.read(budget.left + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise PlanDataError(f"damaged Word file: {name} cannot be unpacked ({' '.join(str(exc).split())})",
                            file=budget.file) from None
    if len(data) > budget.left:
        raise budget.refuse(name)
    budget.left -= len(data)
    return data


def _parse_xml(data: bytes | None, name: str, file: str):
    if data is None:
        return None
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                  remove_comments=True, remove_pis=True)
    try:
        return lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise PlanDataError(f"damaged Word file: {name} is not well-formed XML ({exc.msg})", file=file) from None


def _run_text(run, out: list[str]) -> None:
    properties = run.find(W + "rPr")
    if properties is not None and properties.find(W + "vanish") is not None \
            and properties.find(W + "vanish").get(W + "val") not in ("0", "false", "off"):
        return
    for child in run:
        tag = child.tag
        if tag == W + "t":
            out.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")


def _inline_text(element, out: list[str]) -> None:
    for child in element:
        if child.tag == W + "r":
            _run_text(child, out)
        elif child.tag in _CONTAINERS:
            _inline_text(child, out)


class _Reader:
    def __init__(self, numbering: Numbering):
        self.numbering = numbering

    def paragraph(self, paragraph) -> list[str]:
        """The paragraph's printed lines: its number first, a line break inside it starts a new line."""
        properties = paragraph.find(W + "pPr")
        num_id = ilvl = style = None
        if properties is not None:
            style = properties.find(W + "pStyle")
            style = style.get(W + "val") if style is not None else None
            num_pr = properties.find(W + "numPr")
            if num_pr is not None:
                num_element, level_element = num_pr.find(W + "numId"), num_pr.find(W + "ilvl")
                num_id = num_element.get(W + "val") if num_element is not None else None
                level = level_element.get(W + "val") if level_element is not None else None
                ilvl = int(level) if level is not None and level.isdigit() else None
        out: list[str] = [self.numbering.label(num_id, ilvl, style)]
        _inline_text(paragraph, out)
        return [line for line in (clean_line(piece) for piece in "".join(out).split("\n")) if line]

    def blocks(self, container) -> list[str | RawTable]:
        blocks: list[str | RawTable] = []
        for child in container:
            if child.tag == W + "p":
                blocks.extend(self.paragraph(child))
            elif child.tag == W + "tbl":
                blocks.extend(self.table(child))
            elif child.tag in _BLOCK_CONTAINERS:
                blocks.extend(self.blocks(child))
        return blocks

    def table(self, table) -> list[str | RawTable]:
        rows: list[list[tuple[RawCell, list[str | RawTable]]]] = []
        header_rows, in_header = 0, True
        for row in table.iter(W + "tr"):
            if row.getparent() is not table:  # a nested table's rows are read with that table
                continue
            row_properties = row.find(W + "trPr")
            if in_header and row_properties is not None and row_properties.find(W + "tblHeader") is not None:
                header_rows += 1
            else:
                in_header = False
            cells = []
            before = _number(row_properties, "gridBefore")
            if before:
                cells.append((RawCell([], colspan=before), []))
            for cell in row.findall(W + "tc"):
                cell_properties = cell.find(W + "tcPr")
                span = _number(cell_properties, "gridSpan") or 1
                merge = cell_properties.find(W + "vMerge") if cell_properties is not None else None
                continues = merge is not None and merge.get(W + "val") in (None, "continue")
                # A covered cell is not printed: its (empty) paragraphs neither show nor count numbers.
                content = [] if continues else self.blocks(cell)
                cells.append((RawCell(_lines(content), colspan=span, continues_above=continues), content))
            rows.append(cells)
        if _is_layout(rows):
            return [block for row in rows for _, content in row for block in content]
        return [RawTable([[cell for cell, _ in row] for row in rows], header_rows)]


def _number(properties, name: str) -> int:
    element = properties.find(W + name) if properties is not None else None
    value = element.get(W + "val") if element is not None else None
    return min(int(value), 1000) if value is not None and value.isdigit() else 0


def _lines(content: list[str | RawTable]) -> list[str]:
    return [line for block in content
            for line in ([block] if isinstance(block, str)
                         else [text for row in block.rows for cell in row for text in cell.lines])]


def _is_layout(rows: list[list[tuple[RawCell, list]]]) -> bool:
    if len(rows) < 2 or max((sum(cell.colspan for cell, _ in row) for row in rows), default=0) < 2:
        return True
    for row in rows:
        for cell, content in row:
            if any(isinstance(block, RawTable) for block in content):
                return True
            if len(cell.lines) >= LAYOUT_CELL_PARAGRAPHS or sum(map(len, cell.lines)) > LAYOUT_CELL_CHARS:
                return True
    return False


def read_docx(data: bytes, file_name: str) -> Document:
    if not data.strip(b"\x00 \t\r\n"):
        raise PlanDataError("file is empty", file=file_name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise PlanDataError("not a Word file: a .docx is a zip archive and this file is not one "
                            "(a .doc or .wps saved under a .docx name?)", file=file_name) from None
    budget = _Budget(file_name)
    with archive:
        document = _parse_xml(_read_part(archive, DOCUMENT_PART, budget), DOCUMENT_PART, file_name)
        if document is None:
            raise PlanDataError(f"not a Word document: the zip holds no {DOCUMENT_PART}", file=file_name)
        numbering_root = _parse_xml(_read_part(archive, NUMBERING_PART, budget), NUMBERING_PART, file_name)
        styles_root = _parse_xml(_read_part(archive, STYLES_PART, budget), STYLES_PART, file_name)
    body = document.find(W + "body")
    if body is None:
        raise PlanDataError("no text: the Word document has no body", file=file_name)
    encoding = (document.getroottree().docinfo.encoding or "utf-8").lower()
    reader = _Reader(Numbering(numbering_root, Styles.parse(styles_root)))
    return render(reader.blocks(body), file_name, "docx", "utf-16" if encoding.startswith("utf-16") else encoding)
