"""Blocks read from a page or a Word file -> the rendered normalised text and its Document.

The HTML and Word readers both give a list of raw blocks (a paragraph's text, or a table's rows of raw
cells with their spans); this module expands the tables into grids and lays everything out in one text,
so that both formats share one definition of the rendered text (README, "How web pages and Word files
are read"):

- a paragraph is one line;
- a table is preceded and followed by a blank line, and its rows are separated by a blank line;
- in a row, each cell printed there takes consecutive lines: one line per line of the cell (a line break
  inside a cell starts a new line), an empty cell one empty line; a position covered by a merged cell
  prints nothing and points at the lines of the cell that covers it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.document import Block, Cell, Document, Paragraph, Table
from pipeline.core.lines import EDGE_SPACE
from pipeline.errors import PlanDataError

# A table wider or longer than this is not a notice's table but a spreadsheet pasted as a page; the cap
# keeps a hostile colspan="100000" from building a grid of billions of positions.
MAX_SPAN = 1000
MAX_GRID_CELLS = 200_000


@dataclass
class RawCell:
    lines: list[str]  # the cell's lines as printed (edge spaces stripped, none empty)
    colspan: int = 1
    rowspan: int = 1
    continues_above: bool = False  # Word's vMerge continuation: covered by the cell above in its column


@dataclass
class RawTable:
    rows: list[list[RawCell]]
    header_rows: int = 0


@dataclass
class _Layout:
    lines: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def add(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def clean_line(text: str) -> str:
    """One printed line: no line end of any kind inside, edge spaces stripped."""
    for char in "\r\n\f\v\x85\u2028\u2029":
        if char in text:
            text = text.replace(char, " ")
    return text.strip(EDGE_SPACE)


def _expand(table: RawTable, file: str) -> tuple[list[list[tuple[int, int]]], dict[tuple[int, int], RawCell]]:
    """The grid (for every position, the (row, col) of the cell printed there or covering it; (-1, -1)
    where a short row prints nothing) and the raw cell printed at each of its own positions."""
    grid: dict[tuple[int, int], tuple[int, int]] = {}
    printed: dict[tuple[int, int], RawCell] = {}
    row_count = len(table.rows)
    width = 0
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            colspan = max(1, min(cell.colspan, MAX_SPAN))
            if cell.continues_above and r > 0 and grid.get((r - 1, c), (-1, -1)) != (-1, -1):
                root = grid[(r - 1, c)]
                for dc in range(colspan):
                    grid.setdefault((r, c + dc), root)
            else:
                printed[(r, c)] = cell
                rowspan = max(1, min(cell.rowspan, row_count - r))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid.setdefault((r + dr, c + dc), (r, c))
            c += colspan
            width = max(width, c)
            if len(grid) > MAX_GRID_CELLS:
                raise PlanDataError(f"a table has more than {MAX_GRID_CELLS} cells: not a notice's table",
                                    file=file)
    width = max([width] + [c + 1 for (_, c) in grid])
    return [[grid.get((r, c), (-1, -1)) for c in range(width)] for r in range(row_count)], printed


def _lay_table(layout: _Layout, table: RawTable, file: str) -> None:
    grid, printed = _expand(table, file)
    layout.blank()
    spans: dict[tuple[int, int], tuple[str, int, int]] = {}
    rows: list[tuple[Cell, ...]] = []
    first_line = len(layout.lines) + 1
    for r, grid_row in enumerate(grid):
        if r:
            layout.add("")  # even after an empty cell's empty line: one blank line between rows
        row_start = len(layout.lines) + 1
        for c in range(len(grid_row)):
            cell = printed.get((r, c))
            if cell is None:
                continue
            start = len(layout.lines) + 1
            for line in cell.lines or [""]:
                layout.add(line)
            spans[(r, c)] = ("\n".join(cell.lines), start, len(layout.lines))
        if len(layout.lines) < row_start:  # every position covered from above: the row still gets a line
            layout.add("")
        row_cells = []
        for c, root in enumerate(grid_row):
            if root == (-1, -1):  # a row shorter than the table: nothing printed there
                row_cells.append(Cell("", len(layout.lines), len(layout.lines)))
                continue
            text, start, end = spans[root]
            row_cells.append(Cell(text, start, end, None if root == (r, c) else root))
        rows.append(tuple(row_cells))
    layout.blocks.append(Table(tuple(rows), first_line, len(layout.lines), table.header_rows))
    layout.add("")


def render(blocks: list[str | RawTable], file: str, source_format: str, encoding: str) -> Document:
    """The Document of raw blocks; refused when nothing in them is text."""
    layout = _Layout()
    for block in blocks:
        if isinstance(block, RawTable):
            if block.rows:
                _lay_table(layout, block, file)
            continue
        text = clean_line(block)
        if not text:
            continue
        blank_before = bool(layout.lines) and layout.lines[-1] == ""
        layout.blocks.append(Paragraph(layout.add(text), text, blank_before))
    while layout.lines and layout.lines[-1] == "":
        layout.lines.pop()
    if not any(line for line in layout.lines):
        raise PlanDataError("no text: the file holds no paragraph and no table cell with text", file=file)
    return Document(file, source_format, encoding, "\n".join(layout.lines) + "\n", tuple(layout.blocks))
