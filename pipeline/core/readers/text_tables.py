"""Tables in plain text saved from web pages: runs of paragraphs read back into Table blocks.

In such text every table cell is a paragraph followed by a blank line, and a single line break stays
inside a cell (``区土方工作⏎专班`` is one cell). That model holds only from a table's header to its end;
everywhere else a line is a paragraph, whatever the blank lines.

- A table starts at a header: consecutive cells that are header words of the vocabulary (a cell split in
  two paragraphs, ``牵头`` / ``部门``, is joined when the join is a header word), with columns the genre does
  not name between or after them. It needs numbered rows after it, or it is not a table.
- Rows are found by their numbers: the 序号 column, else the task column's ``（1）``. Cells of the columns
  before that one (11's 任务分类 / 主要方向) are recognised by their own numbering styles.
- A cell merged over several rows is printed once, in the first row it covers, and is missing from the
  rows after it; its positions there get its text with ``origin`` where it was printed. The paragraphs
  after a row's number are aligned with the columns by the kind of cell each column holds (units in a
  role column, numbers, text): the cheapest alignment wins, and where several are equally cheap the row
  is not guessed: its units are left empty, the row goes into ``Table.unaligned_rows`` and a
  ``table_alignment`` warning names its line.
- A header printed again after a page break is skipped; a category row (``二`` + its title, or
  ``一、…（共5项）``) is one cell across the table.
- ``——``, ``—`` and ``/`` as a whole cell are kept as printed: the parser reads them as empty.

Work is linear in the input: each cell is looked at a bounded number of times, and a row's alignment
is bounded by the row's size, which is capped.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.core.document import Block, Cell, Paragraph, Table
from pipeline.core.findings import Finding
from pipeline.core.vocabulary import column_of, header_key

# A row (with the content rows continuing it) holds at most this many cells per column before the
# table is taken to have ended: it bounds the work of aligning one row.
_CELLS_PER_COLUMN = 8
_MAX_HEADER_CELLS = 24
_TOTAL_LABELS = frozenset({"总计", "合计", "小计"})

_CN = "一二三四五六七八九十"
_EMPTY = re.compile(r"^(?:[—－–\-─]{1,2}|/|／|无)$")
_NUMBER = re.compile(r"^[0-9０-９]+(?:[.．][0-9０-９]+)?[%％]?$")
_DATE = re.compile(r"^(?:[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})年.{1,3}月.{1,3}日$")
_ATTACHMENT = re.compile(r"^附\s*件")
_MARKS = (
    ("digits", re.compile(r"^([0-9０-９]{1,4})$")),
    ("paren_cn", re.compile(rf"^[（(]\s*([{_CN}]{{1,3}})\s*[）)]")),
    ("paren_arabic", re.compile(r"^[（(]\s*([0-9０-９]{1,2})\s*[）)]")),
    ("arabic_dot", re.compile(r"^([0-9０-９]{1,3})\s*[、.．](?![0-9０-９])")),
    ("cn_dun", re.compile(rf"^([{_CN}]{{1,3}})\s*[、.．]")),
    ("cn_bare", re.compile(rf"^([{_CN}]{{1,3}})$")),
)
# Words that end a unit's name; a cell is unit-like when each of its 、，；-separated names ends in one.
_UNIT_ENDS = ("处", "局", "委", "办", "中心", "公司", "集团", "单位", "部门", "各区", "区", "街镇", "镇", "街道",
              "政府", "协会", "专班", "分局", "法院", "检察院", "企业", "管委会", "委员会", "机关", "机构",
              "办公室", "组", "科", "室", "院", "所", "站", "队", "部", "厅", "署", "行", "会", "社", "团")
_UNIT_SPLIT = re.compile(r"[、，,；;\n]")
_BRACKETED = re.compile(r"[（(][^（()）]*[）)]")

_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")


def _cn_number(text: str) -> int:
    digits = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        return (digits.get(tens, 1) * 10) + digits.get(units, 0)
    return digits.get(text, 0) if len(text) == 1 else 0


def row_mark(text: str) -> tuple[str, int, bool] | None:
    """(style, number, bare) of a row number printed at the start of a cell; bare: nothing follows it."""
    for style, pattern in _MARKS:
        found = pattern.match(text)
        if found:
            raw = found.group(1)
            number = int(raw.translate(_WIDE)) if raw[0].translate(_WIDE).isdigit() else _cn_number(raw)
            if number:
                return style, number, not text[found.end():].strip()
    return None


def is_empty_mark(text: str) -> bool:
    return _EMPTY.match(text) is not None


def is_unit_like(text: str) -> bool:
    if "。" in text or "：" in text or len(text) > 120:
        return False
    names = [name.strip() for name in _UNIT_SPLIT.split(_BRACKETED.sub("", text.replace("\n", "")))]
    names = [name for name in names if name]
    return bool(names) and all(len(name) <= 20 and name.endswith(_UNIT_ENDS) and not any(ch.isdigit() for ch in name)
                               for name in names)


@dataclass
class _Cell:
    """A run of paragraphs without a blank line between them: one printed cell."""
    paragraphs: list[Paragraph]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def line_start(self) -> int:
        return self.paragraphs[0].line

    @property
    def line_end(self) -> int:
        return self.paragraphs[-1].line

    @functools.cached_property
    def key(self) -> str:
        return header_key(self.text)

    @functools.cached_property
    def kind(self) -> str:
        text = self.text
        if is_empty_mark(text):
            return "empty"
        if _NUMBER.match(text):
            return "num"
        if is_unit_like(text):
            return "unit"
        return "text"


def _cells(paragraphs: list[Paragraph]) -> list[_Cell]:
    cells: list[_Cell] = []
    for paragraph in paragraphs:
        if paragraph.blank_before or not cells:
            cells.append(_Cell([paragraph]))
        else:
            cells[-1].paragraphs.append(paragraph)
    return cells


def _header_like(cell: _Cell) -> bool:
    key = cell.key
    return (0 < len(key) <= 24 and not any(stop in key for stop in "。；;") and row_mark(key) is None
            and not is_empty_mark(key) and _DATE.match(key) is None)


def _stripped_column(key: str):
    entry = column_of(key)
    if entry is None:  # 重点任务（2024-2026）: a header word with the period it covers
        bare = _BRACKETED.sub("", key)
        entry = column_of(bare) if bare != key else None
    return entry


def _read_header(cells: list[_Cell], start: int) -> tuple[list[list[_Cell]], int] | None:
    """The header's columns (each a list of printed cells, a split header cell has two) and the index
    after it, or None when no header starts at ``start``."""
    columns: list[list[_Cell]] = []
    at, recognised, first_is_number = start, 0, False
    while at < len(cells) and len(columns) < _MAX_HEADER_CELLS and _header_like(cells[at]):
        here = cells[at]
        following = cells[at + 1] if at + 1 < len(cells) else None
        if (_stripped_column(here.key) is None and following is not None and _header_like(following)
                and _stripped_column(following.key) is None and column_of(here.key + following.key) is not None):
            columns.append([here, following])
            at += 2
        else:
            columns.append([here])
            at += 1
        entry = _stripped_column("".join(c.key for c in columns[-1]))
        if entry is not None:
            recognised += 1
            if len(columns) == 1 and entry.kind == "number_column":
                first_is_number = True
        if len(columns) == 1 and entry is None:
            return None  # a header starts at a header word
    if len(columns) < 2 or not (recognised >= 2 or (first_is_number and len(columns) >= 3)):
        return None
    return columns, at


class _Aligner:
    """Costs of putting a printed cell in a column; the cheapest alignment of a row is kept."""
    MISMATCH = {("unit", "text"): 20, ("unit", "num"): 20, ("num", "text"): 6, ("num", "unit"): 6,
                ("text", "unit"): 2, ("text", "num"): 2}
    EXTRA = 4  # one more paragraph in a cell
    SKIP = 4  # a column missing from the row: merged from above
    NEW_ROW = 6  # a content row continuing the numbered row (12)
    LEFT_OUT = 3  # a cell after the last row left outside the table

    def __init__(self, expected: list[str], kinds: list[str], skip_allowed: bool, may_end: bool):
        self.expected, self.kinds = expected, kinds
        self.skip_allowed, self.may_end = skip_allowed, may_end

    def cost(self, cell: int, column: int) -> int:
        want = self.expected[column]
        have = self.kinds[cell]
        if want == "any" or have == "empty":
            return 0
        return self.MISMATCH.get((want, have), 0)

    def solve(self, limit: int = 64) -> list[tuple[list[tuple[int, dict[int, tuple[int, int]]]], int]]:
        """All cheapest alignments (up to ``limit``): each (rows, cells used), a row being (first column,
        {column: (first cell, end cell)}); a column absent from the dict is merged from above."""
        n, width = len(self.kinds), len(self.expected)
        infinite = float("inf")
        # best[i][t]: cheapest cost with cells[:i] placed and the current row filled up to column t.
        best = [[infinite] * (width + 1) for _ in range(n + 1)]
        back: list[list[list[tuple]]] = [[[] for _ in range(width + 1)] for _ in range(n + 1)]
        best[0][0] = 0

        def relax(i, t, value, step):
            if value < best[i][t]:
                best[i][t] = value
                back[i][t] = [step]
            elif value == best[i][t]:
                back[i][t].append(step)

        for i in range(n + 1):
            for t in range(width + 1):
                here = best[i][t]
                if here == infinite:
                    continue
                if t < width:
                    if self.skip_allowed:
                        relax(i, t + 1, here + self.SKIP, ("skip", i, t, t))
                    total = 0
                    for j in range(i, n):
                        total += self.cost(j, t) + (self.EXTRA if j > i else 0)
                        relax(j + 1, t + 1, here + total, ("take", i, t, t))
                elif i < n:
                    # a continuation row starts at column t0 with a printed cell
                    for t0 in range(width):
                        total = 0
                        for j in range(i, n):
                            total += self.cost(j, t0) + (self.EXTRA if j > i else 0)
                            relax(j + 1, t0 + 1, here + self.NEW_ROW + total, ("row", i, width, t0))
        ends = [(best[n][width], n)]
        if self.may_end:
            ends += [(best[i][width] + self.LEFT_OUT * (n - i), i) for i in range(1, n)]
        cheapest = min(value for value, _ in ends)
        if cheapest == infinite:
            return []
        paths: list[list] = []

        def walk(i, t, steps, used):
            if len(paths) >= limit:
                return
            if i == 0 and t == 0:
                paths.append((list(reversed(steps)), used))
                return
            for step in back[i][t]:
                walk(step[1], step[2], steps + [(step, i)], used)

        for value, i in ends:
            if value == cheapest:
                walk(i, width, [], i)
        return [(self._rows(path), used) for path, used in paths]

    @staticmethod
    def _rows(path) -> list[tuple[int, dict[int, tuple[int, int]]]]:
        rows: list[tuple[int, dict[int, tuple[int, int]]]] = [(0, {})]
        for (kind, i, _, column), end in path:
            if kind == "row":
                rows.append((column, {column: (i, end)}))
            elif kind == "take":
                rows[-1][1][column] = (i, end)
        return rows


_ROW_STYLES = ("digits", "paren_cn", "paren_arabic", "arabic_dot")


class _TableReader:
    def __init__(self, cells: list[_Cell], header: list[list[_Cell]], body_start: int):
        self.cells, self.header, self.body_start = cells, header, body_start
        self.entries = [_stripped_column("".join(c.key for c in column)) for column in header]
        self.findings: list[Finding] = []

    # -- finding the rows -------------------------------------------------------------------------

    def _anchor_column(self) -> int | None:
        for wanted in ("number_column", "task_column"):
            for index, entry in enumerate(self.entries):
                if entry is not None and entry.kind == wanted:
                    return index
        return None

    def _repeated_header(self, at: int) -> int:
        """The number of cells of a header printed again at ``at`` (after a page break), else 0."""
        printed = [cell for column in self.header for cell in column]
        if at + len(printed) > len(self.cells) or self.cells[at].key != printed[0].key:
            return 0
        for offset, cell in enumerate(printed):
            if self.cells[at + offset].key != cell.key:
                return 0
        return len(printed)

    def _category_before(self, body: list[int], position: int, expected: int, restarted: bool) -> int:
        """How many cells just before body[position] form a category row (0, 1 or 2)."""
        if position >= 1:
            last = self.cells[body[position - 1]]
            mark = row_mark(last.key)
            if mark and mark[0] == "cn_dun" and mark[1] == expected and not mark[2]:
                return 1
        if position >= 2:
            first, title = self.cells[body[position - 2]], self.cells[body[position - 1]]
            mark = row_mark(first.key)
            numbered = mark is not None and mark[0] == "cn_bare" and mark[1] == expected
            # 12 prints its first category's 一 as a dash
            misprinted = first.key in ("—", "-", "－") and expected == 1 and restarted
            if (numbered or misprinted) and row_mark(title.key) is None and not is_empty_mark(title.key):
                return 2
        return 0

    def read(self) -> tuple[Table, int] | None:
        anchor_column = self._anchor_column()
        if anchor_column is None:
            return None
        cells, width = self.cells, len(self.header)
        bound = _CELLS_PER_COLUMN * width + 4
        # The first row: its number, after the cells of the columns before the number's column.
        leading_styles: dict[str, int] = {}
        first = None
        for at in range(self.body_start, min(len(cells), self.body_start + 2 * anchor_column + 4)):
            mark = row_mark(cells[at].key)
            if mark is None:
                continue
            if anchor_column == 0:
                if mark[0] in _ROW_STYLES:
                    first = at
                    break
                continue
            if mark[0] in leading_styles or mark[0] == "cn_bare":
                continue
            if len(leading_styles) == anchor_column:
                first = at
                break
            leading_styles[mark[0]] = len(leading_styles)
        if first is None:
            return None
        anchor_style, _, anchor_bare = row_mark(cells[first].key)
        if anchor_style in leading_styles:
            return None
        body = list(range(self.body_start, first + 1))
        anchors = [len(body) - 1]
        categories: list[tuple[int, int]] = []  # (body position of the category's first cell, cells)
        # the cells before the first number: a category row, or the leading cells of the first row
        pre = len(body) - 1
        if anchor_column == 0 and pre:
            size = self._category_before(body, pre, 1, True)
            if size != pre:
                return None
            categories.append((0, size))
        number = row_mark(cells[first].key)[1]
        heading_after_last = None
        at = first + 1
        while at < len(cells):
            repeated = self._repeated_header(at)
            if repeated:
                at += repeated
                continue
            cell = cells[at]
            if _ATTACHMENT.match(cell.key) or _DATE.match(cell.key):
                break
            mark = row_mark(cell.key)
            # a bare number (the 序号 column) is never followed by a heading's text (（三）保障措施)
            if mark and mark[0] == anchor_style and mark[2] == anchor_bare:
                body.append(at)
                position = len(body) - 1
                expected = len(categories) + 1
                size = self._category_before(body, position, expected, mark[1] == 1) if anchor_column == 0 else 0
                if mark[1] == number + 1 or (size and mark[1] == 1):
                    if size:
                        categories.append((position - size, size))
                    anchors.append(position)
                    number, heading_after_last = mark[1], None
                    at += 1
                    continue
                body.pop()
            if mark and mark[0] in ("cn_dun", "paren_cn", "arabic_dot", "paren_arabic") and not mark[2] \
                    and heading_after_last is None:
                heading_after_last = len(body)  # where the table ends if no further row follows
            body.append(at)
            if len(body) - anchors[-1] > bound:
                break
            at += 1
        end = len(body)
        if heading_after_last is not None:
            end = heading_after_last
        return self._build(body[:end], anchors, categories, anchor_column, leading_styles)

    # -- building the rows ------------------------------------------------------------------------

    def _leading_start(self, body: list[int], position: int, styles: dict[str, int], floor: int,
                       anchor_column: int) -> int:
        """Where the cells of the columns before the number's column begin, walking back from a row's
        number: each is marked in its column's numbering style (``（二）…``, ``7、…``); a bare mark may be
        followed by its text in a cell of its own (``（一）`` / ``提升交通设施环境品质``)."""
        limit, start, at = anchor_column, position, position - 1
        while at >= floor:
            mark = row_mark(self.cells[body[at]].key)
            if mark and mark[0] in styles and styles[mark[0]] < limit:
                limit, start, at = styles[mark[0]], at, at - 1
                continue
            if mark is None and at - 1 >= floor:
                before = row_mark(self.cells[body[at - 1]].key)
                if before and before[2] and before[0] in styles and styles[before[0]] < limit:
                    limit, start, at = styles[before[0]], at - 1, at - 2
                    continue
            break
        return start

    def _cell(self, positions: list[int], body: list[int]) -> Cell:
        printed = [self.cells[body[p]] for p in positions]
        return Cell("\n".join(c.text for c in printed), printed[0].line_start, printed[-1].line_end)

    def _build(self, body, anchors, categories, anchor_column, leading_styles):
        cells, a = self.cells, anchor_column
        category_of = {start + size: (start, size) for start, size in categories}
        starts = []
        for k, position in enumerate(anchors):
            floor = anchors[k - 1] + 1 if k else 0
            start = self._leading_start(body, position, leading_styles, floor, a) if a else position
            if position in category_of:
                start = category_of[position][0]
            starts.append(start)
        if a and starts[0] != 0:
            return None
        ends = [*starts[1:], len(body)]
        # A header printed over two rows (13): one more header cell than the first row has cells.
        first_row = ends[0] - starts[0] - (category_of[anchors[0]][1] if anchors[0] in category_of else 0)
        header_rows = self._header_rows(first_row, a)
        width = len(self.header)
        self.roles = {c for c, entry in enumerate(self.entries) if entry is not None and entry.kind == "role_column"}
        self.rows: list[list[Cell]] = list(header_rows)
        self.unaligned: set[int] = set()
        self.unsure: set[tuple[int, int]] = set()  # (row, col) of role cells left empty as not aligned
        self.learned: dict[int, str] = {}
        previous: int | None = None
        used_to = len(body)
        for k, position in enumerate(anchors):
            start = starts[k]
            if position in category_of:
                cat_start, size = category_of[position]
                category = self._cell(list(range(cat_start, cat_start + size)), body)
                index = len(self.rows)
                self.rows.append([category] + [Cell(category.text, category.line_start, category.line_end,
                                                    (index, 0)) for _ in range(width - 1)])
                previous, start = None, cat_start + size
            row: list[Cell | None] = [None] * width
            groups: list[list[int]] = []
            for p in range(start, position):
                mark = row_mark(cells[body[p]].key)
                if mark and mark[0] in leading_styles or not groups:
                    groups.append([p])
                else:
                    groups[-1].append(p)
            for group in groups:
                mark = row_mark(cells[body[group[0]]].key)
                column = leading_styles.get(mark[0], 0) if mark else 0
                row[column] = self._cell(group, body)
            row[a] = self._cell([position], body)
            tail = list(range(position + 1, ends[k]))
            total_at = next((i for i, p in enumerate(tail) if cells[body[p]].key in _TOTAL_LABELS), None)
            last = k == len(anchors) - 1
            pieces = [(row, tail if total_at is None else tail[:total_at], False)]
            if total_at is not None:
                label = tail[total_at]
                total_row: list[Cell | None] = [None] * width
                total_row[a] = self._cell([label], body)
                pieces.append((total_row, tail[total_at + 1:], True))
            for base, printed, total in pieces:
                used = self._align(base, printed, body, a, previous, total, last and base is pieces[-1][0])
                previous = len(self.rows) - 1
                if printed:
                    if used < len(printed):
                        used_to = printed[used - 1] + 1 if used else printed[0]
                        break
        end_cell = body[used_to - 1] + 1
        line_end = max(cell.line_end for row in self.rows for cell in row)
        table = Table(tuple(tuple(row) for row in self.rows), self.rows[0][0].line_start, line_end,
                      len(header_rows), frozenset(self.unaligned))
        return table, end_cell

    def _header_rows(self, first_row: int, anchor_column: int) -> list[list[Cell]]:
        columns = [Cell("\n".join(c.text for c in column), column[0].line_start, column[-1].line_end)
                   for column in self.header]
        if len(columns) - first_row != 1:
            return [columns]
        unnamed = [c for c in range(anchor_column + 1, len(columns) - 2) if self.entries[c] is None]
        if not unnamed:
            return [columns]
        group = max(unnamed, key=lambda c: (len(header_key(columns[c].text)), c))
        self.findings.append(Finding(
            columns[group].line_start, "table_group_header",
            f"a table's header is printed over two rows: {columns[group].text!r} is read as the heading of the "
            f"{len(columns) - group - 1} columns after it", columns[group].text))
        del self.header[group]
        del self.entries[group]
        top = [*columns[:group]] + [columns[group]] + [
            Cell(columns[group].text, columns[group].line_start, columns[group].line_end, (0, group))
            for _ in range(len(columns) - group - 2)]
        below = [Cell(c.text, c.line_start, c.line_end, (0, i)) for i, c in enumerate(columns[:group])]
        below += columns[group + 1:]
        return [top, below]

    def _align(self, base, printed, body, a, previous, total, may_end) -> int:
        """Align a row's cells after its number with the columns; appends the row (and the content rows
        continuing it) and returns how many of ``printed`` belong to the table."""
        width = len(self.header)
        tail_columns = list(range(a + 1, width))
        expected = ["unit" if c in self.roles else self.learned.get(c, self.default_kind(c)) for c in tail_columns]
        kinds = [self.cells[body[p]].kind for p in printed]
        can_skip = previous is not None or total
        solutions = _Aligner(expected, kinds, can_skip, may_end).solve()
        if not solutions:
            solutions = _Aligner(expected, kinds, True, may_end).solve()

        def shape(solution):
            return [(first, tuple(sorted(taken))) for first, taken in solution[0]], solution[1]

        agree = all(shape(solution) == shape(solutions[0]) for solution in solutions)
        rows, used = solutions[0]
        for r, (first, taken) in enumerate(rows):
            index = len(self.rows)
            above = previous if r == 0 else index - 1
            row: list[Cell | None] = list(base) if r == 0 else [None] * width
            line = base[a].line_start if r == 0 else self.cells[body[printed[taken[first][0]]]].line_start
            unsure_row, split = not agree, []
            for t, c in enumerate(tail_columns):
                if t not in taken:
                    if total and r == 0 and t < min(taken, default=len(tail_columns)):
                        label = base[a]
                        row[c] = Cell(label.text, label.line_start, label.line_end, (index, a))
                    continue
                ranges = {solution[0][r][1].get(t) for solution in solutions} if agree else {taken[t]}
                if len(ranges) == 1 and agree or (not agree and c not in self.roles):
                    start, end = taken[t]
                    row[c] = self._cell(printed[start:end], body)
                elif c in self.roles:
                    unsure_row = True
                else:
                    split.append((c, ranges))
            self._join_split(row, split, printed, body, index)
            for c in range(width):
                if row[c] is not None:
                    continue
                if above is None:
                    row[c] = Cell("", line, line)
                elif (above, c) in self.unsure:
                    unsure_row = True  # its units are printed once for it and the rows above, not aligned
                else:
                    source = self.rows[above][c]
                    row[c] = Cell(source.text, source.line_start, source.line_end, source.origin or (above, c))
            if unsure_row:
                self._leave_units_out(row, index, line, row[a].text.split("\n")[0])
            elif split:
                self.findings.append(Finding(
                    line, "table_cell_split",
                    f"the cells of the columns {self._names([c for c, _ in split])} in the table row at line {line} "
                    "cannot be told apart as printed: their text is kept together in each", row[split[0][0]].text))
            for c in tail_columns:
                cell = row[c]
                if c not in self.roles and c not in self.learned and cell.origin is None and cell.text:
                    self.learned[c] = "num" if _NUMBER.match(cell.text) else "text"
            self.rows.append(row)
        return used

    def default_kind(self, column: int) -> str:
        """What a column holds before its first cell is read: a task, category or deadline column holds
        text, never a unit list; a column the genre does not name may hold anything."""
        entry = self.entries[column]
        return "text" if entry is not None and entry.kind in ("task_column", "category_column", "deadline_column") else "any"

    def _names(self, columns: list[int]) -> str:
        return "、".join(header_key(self.header_text(c)) for c in columns)

    def _join_split(self, row, split, printed, body, index):
        """Columns whose cells cannot be told apart hold their paragraphs together, as one merged cell."""
        groups: list[list[tuple[int, set]]] = []
        for c, ranges in split:
            if groups and groups[-1][-1][0] == c - 1:
                groups[-1].append((c, ranges))
            else:
                groups.append([(c, ranges)])
        for group in groups:
            spans = [span for _, ranges in group for span in ranges if span]
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            first = group[0][0]
            row[first] = self._cell(printed[start:end], body)
            for c, _ in group[1:]:
                row[c] = Cell(row[first].text, row[first].line_start, row[first].line_end, (index, first))

    def _leave_units_out(self, row, index, line, label):
        for c in self.roles:
            row[c] = Cell("", line, line)
            self.unsure.add((index, c))
        for c in range(len(row)):
            if row[c] is None:
                row[c] = Cell("", line, line)
        self.unaligned.add(index)
        self.findings.append(Finding(
            line, "table_alignment",
            f"the unit cells of the table row at line {line} cannot be aligned with the columns "
            f"{self._names(sorted(self.roles))} as printed: its units are not read", label))

    def header_text(self, column: int) -> str:
        return "".join(c.text for c in self.header[column])


_CAPTION = re.compile(r"^表\s*[0-9０-９]{1,2}[\s:：．.、]+\S")
_GRID_STOP = re.compile(r"^(?:注\s*[:：]|图\s*[0-9０-９]|表\s*[0-9０-９]|附\s*件)")
_DIGIT = re.compile(r"[0-9０-９]")
_MAX_GRID_CELLS = 400


def _grid_class(cell: _Cell) -> str:
    key = cell.key
    if is_empty_mark(key):
        return "empty"
    if _NUMBER.match(key):
        return "num"
    return "short" if len(key) <= 15 and "。" not in key else "long"


def _ends_grid(cell: _Cell) -> bool:
    mark = row_mark(cell.key)
    return (_GRID_STOP.match(cell.key) is not None or _DATE.match(cell.key) is not None
            or (mark is not None and not mark[2] and mark[0] != "digits"))


def _read_captioned(cells: list[_Cell], start: int) -> tuple[Table, int] | Finding | None:
    """A table under its caption (``表2 …编制计划表``) with neither header words nor row numbers (10's
    表2, 表3). It is read only when its cells fill a grid whose columns each hold one kind of cell (numbers,
    short names, sentences); a header over two rows or cells merged over rows (10's 表1) do not fill one,
    and its cells stay paragraphs: nothing is guessed."""
    at = start
    while (at < len(cells) and at - start < _MAX_HEADER_CELLS and _header_like(cells[at])
           and not _DIGIT.search(_BRACKETED.sub("", cells[at].key))):
        at += 1
    header = at - start
    end = at
    while end < len(cells) and end - start < _MAX_GRID_CELLS and not _ends_grid(cells[end]):
        end += 1
    total = end - start
    for width in range(header, 1, -1):
        if total % width or total // width < 3:
            continue
        grid = [cells[start + row * width:start + (row + 1) * width] for row in range(total // width)]
        if all(len({_grid_class(row[column]) for row in grid[1:]} - {"empty"}) <= 1 for column in range(width)):
            rows = tuple(tuple(Cell(cell.text, cell.line_start, cell.line_end) for cell in row) for row in grid)
            return Table(rows, rows[0][0].line_start, rows[-1][-1].line_end, 1), end
    if header < 2:
        return None
    caption = cells[start - 1]
    return Finding(caption.line_start, "table_not_read",
                   f"the table under {caption.text!r} does not fill a grid of its {header} header cells (a header "
                   "over two rows, or cells merged over rows): its cells are read as paragraphs", caption.text)


def read_text_tables(paragraphs: list[Paragraph]) -> tuple[list[Block], list[Finding]]:
    """The paragraphs with each run that forms a table replaced by a Table, and the readers' findings."""
    cells = _cells(paragraphs)
    blocks: list[Block] = []
    findings: list[Finding] = []
    at = 0
    while at < len(cells):
        header = _read_header(cells, at)
        read = None
        if header is not None:
            columns, body_start = header
            reader = _TableReader(cells, list(columns), body_start)
            read = reader.read()
        if read is None:
            blocks.extend(cells[at].paragraphs)
            captioned = _read_captioned(cells, at + 1) if _CAPTION.match(cells[at].text) else None
            if isinstance(captioned, Finding):
                findings.append(captioned)
                captioned = None
            if captioned is not None:
                blocks.append(captioned[0])
                at = captioned[1]
            else:
                at += 1
            continue
        table, at = read
        blocks.append(table)
        findings.extend(reader.findings)
    return blocks, findings
