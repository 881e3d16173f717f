"""Responsibility tables (分工表, 任务清单) -> table and category sections, and one task per row that names a unit.

A table is a responsibility table when its header holds a role column (vocabulary.csv ``role_column``:
牵头部门, 配合单位, 指导部门, 实施主体…). The header is the table's first row, or its first two where the
second also names columns or the first spans several columns; a header cell split over the two rows
(``牵头`` / ``部门``) is read as one. A header printed again further down (after a page break) is skipped.

Rows, in order:

* a **category row** (one cell across the table, or a 序号 cell and one cell across the rest:
  ``一、知识产权保护方面（共5项）``, ``二 | 构建…``) opens a section of the table, whatever it holds.
  Its ordinal comes from its numbering (``—`` is no numbering), else its position among the categories;
* a **data row** that names a unit in a role column (or that the reader could not align, see
  ``Table.unaligned_rows``) is a task. Its text is the row's cells other than its number, role and deadline
  cells, in column order, joined by a line feed (empty cells and ``——``, ``—``, ``/`` skipped); a merged
  cell's text is in every row it covers. The deadline column gives ``Task.deadline`` as printed.
  Per-year target columns (``2024年工作项目``) are not deadline columns: their text is part of the task's.

Ids (their own namespace, so that they never collide with the outline's): the table is ``<part>.T<n>``,
its n-th category ``<table>.C<n>``; a row's id is its 序号 read as a number (``1``, ``（一）`` → 1), printed
in a 序号 column or, without one, as the mark opening the task cell (``（7）推进…``). Numbering that runs on
across the categories gives ``A1.T1.6``; numbering that restarts in each category gives ``A3.T1.C2.1``.
A row without a number takes its order among the table's tasks; a row continuing a numbered task (its
序号 cell empty or merged from above) takes ``-2``, ``-3`` after that task's id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core import vocabulary
from pipeline.core.document import Cell, Table
from pipeline.core.findings import Finding
from pipeline.core.marks import chinese_numeral, match_heading
from pipeline.core.sentences import split_unit_list

EMPTY_CELLS = frozenset({"——", "—", "/", "／", "－－", "--"})
_SEPARATORS = "、，,；;"
_HEADER_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMBER = re.compile(r"^[（(]?\s*(?P<n>[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3})\s*[）)]?\s*[.．、]?$")
_CATEGORY_MARK = re.compile(r"^(?P<label>[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)])\s*")
# Column headers that are dates (3月底前完成20%, 1-2月前, 11月中旬完成100%): deadlines printed as columns.
_DEADLINE_HEADER = re.compile(r"[0-9０-９一二三四五六七八九十]+\s*月\s*(?:底|前|中旬|上旬|下旬|初|末)")


@dataclass(frozen=True)
class Column:
    index: int
    printed: str  # the header as printed, the pieces of a split header joined
    kind: str | None  # a vocabulary column kind, or None: a content column
    role: str | None


@dataclass
class TableSection:
    section_id: str
    kind: str  # "table" or "category"
    ordinal: int
    label: str
    heading: str
    line_start: int
    line_end: int


@dataclass
class TableUnits:
    line: int
    role: str
    role_label: str
    units: list[str]
    column: int  # 1-based column of the table


@dataclass
class TableTask:
    task_id: str
    section_id: str
    label: str
    title: str
    text: str
    line_start: int
    line_end: int
    row: int  # 1-based row of the table's grid, header rows included
    units: list[TableUnits]
    open_ended: bool
    deadline: str | None


@dataclass
class TableReading:
    sections: list[TableSection]
    tasks: list[TableTask]
    findings: list[Finding]
    responsibility: bool  # the header has a role column


def is_empty(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped in EMPTY_CELLS


def read_number(printed: str) -> int | None:
    """``1``, ``（一）``, ``二``, ``3.`` → the number; None for anything else (``—``, text)."""
    found = _NUMBER.match(printed.strip())
    if found is None:
        return None
    digits = found["n"].translate(_WIDE_DIGITS)
    if digits.isdigit():
        return int(digits)
    try:
        return chinese_numeral(found["n"])
    except ValueError:
        return None


def split_cell_units(text: str) -> tuple[list[str], bool]:
    """(units, open-ended) of a role cell: as a clause's list, a line break also separating two names."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    joined = ""
    for line in lines:
        # After a name's end (vocabulary ``name_end``) a line break separates two units; elsewhere
        # (区土方工作⏎专班) it is the page's wrap inside one name.
        if (joined and joined[-1] not in _SEPARATORS and joined.endswith(vocabulary.longest_first("name_end"))
                and _depth(joined) == 0):
            joined += "、"
        joined += line
    return split_unit_list(joined)


def _depth(text: str) -> int:
    return sum(text.count(c) for c in "（(") - sum(text.count(c) for c in "）)")


def _distinct(row: tuple[Cell, ...], r: int) -> list[tuple[int, Cell]]:
    """The cells printed in row r (not merged from another row or an earlier column)."""
    return [(c, cell) for c, cell in enumerate(row) if cell.origin is None or cell.origin == (r, c)]


def count_header_rows(table: Table) -> int:
    """How many leading rows are the header (0: the first row names no column of the vocabulary)."""
    if table.header_rows:
        return table.header_rows
    if not table.rows or not any(vocabulary.column_of(cell.text) for cell in table.rows[0]):
        return 0
    if len(table.rows) < 2:
        return 1
    second = table.rows[1]
    spans = any(cell.origin is not None and cell.origin[0] == 0 for cell in table.rows[0])
    from_above = any(cell.origin is not None and cell.origin[0] == 0 for cell in second)
    named = any(vocabulary.column_of(cell.text) for cell in second if cell.origin is None)
    split = any(vocabulary.column_of(top.text + bottom.text) and not vocabulary.column_of(top.text)
                for top, bottom in zip(table.rows[0], second) if bottom.origin is None)
    return 2 if spans or from_above or named or split else 1


def columns_of(table: Table, header_rows: int) -> list[Column]:
    columns = []
    width = len(table.rows[0]) if table.rows else 0
    for c in range(width):
        pieces: list[str] = []
        for r in range(header_rows):
            text = table.rows[r][c].text.strip()
            if text and (not pieces or pieces[-1] != text):
                pieces.append(text)
        candidates = [*reversed(pieces), "".join(pieces)]
        # A header word with a note in brackets after it: 重点任务（2024-2026）, 完成时限（年底前）.
        candidates += [bare for text in candidates if (bare := _HEADER_NOTE.sub("", text)) != text]
        entry = next((found for text in candidates if (found := vocabulary.column_of(text)) is not None), None)
        printed = "".join(pieces).replace("\n", "")
        columns.append(Column(c, printed, entry.kind if entry else None, entry.role if entry else None))
    return columns


def _repeats_header(row: tuple[Cell, ...]) -> bool:
    return sum(1 for cell in row if cell.origin is None and vocabulary.column_of(cell.text)) >= 2


def _category(row: tuple[Cell, ...], r: int, columns: list[Column]) -> tuple[str, str] | None:
    """(numbering as printed, text) when the row is a category row: besides its 序号 cell it holds one
    text, in one cell across the row (the other positions empty or merged from it). Else None."""
    if len(row) < 3:
        return None
    number_at = next((column.index for column in columns if column.kind == "number_column"), None)
    if number_at is not None and any(cell.origin == (r, number_at) for cell in row):
        number_at = None  # the 序号 cell spans the row: it is the one cell across
    texts = []
    for c, cell in enumerate(row):
        if c == number_at:
            continue
        if cell.origin is not None and cell.origin[0] != r:
            return None  # merged from a row above: a data row under a merged cell
        if cell.origin is None and not is_empty(cell.text):
            texts.append(cell.text.strip())
    if len(texts) != 1:
        return None
    number = row[number_at].text.strip() if number_at is not None else ""
    return number, texts[0]


def read_table(table: Table, table_id: str, ordinal: int, caption: str | None = None) -> TableReading:
    """The sections and tasks of one table; a table without a role column gives none. ``caption``: the
    table's title as printed before it (else its header's words are its heading)."""
    header_rows = count_header_rows(table)
    columns = columns_of(table, header_rows) if header_rows else []
    if not any(column.kind == "role_column" for column in columns):
        return TableReading([], [], _other_table_findings(table, columns, header_rows), False)
    number_at = next((column.index for column in columns if column.kind == "number_column"), None)
    task_at = next((column.index for column in columns if column.kind == "task_column"), None)
    deadline_at = next((column.index for column in columns if column.kind == "deadline_column"), None)
    text_columns = [column.index for column in columns
                    if column.kind not in ("number_column", "role_column", "deadline_column")]
    title_at = task_at if task_at is not None else (text_columns[0] if text_columns else None)

    heading = caption or " / ".join(column.printed for column in columns if column.printed)
    table_section = TableSection(table_id, "table", ordinal, f"T{ordinal}", heading, table.line_start, table.line_end)
    sections = [table_section]
    categories: list[TableSection] = []
    # First pass: what each row is.
    rows: list[tuple[int, TableSection | None, int | None, str, bool]] = []  # (r, category, number, printed, continues)
    for r in range(header_rows, len(table.rows)):
        row = table.rows[r]
        if _repeats_header(row):
            continue
        category = _category(row, r, columns)
        if category is not None and not _names_unit(row, columns):
            printed, text = category
            first, _, rest = text.partition("\n")
            if not printed and rest.strip() and (first.strip() in EMPTY_CELLS or read_number(first) is not None):
                printed, text = first.strip(), rest.strip()  # 序号 and title in one cell across: 二⏎构建…
            mark = _CATEGORY_MARK.match(text)
            number = read_number(printed) if printed else None
            label = printed if printed else (mark["label"].strip() if mark else "")
            if number is None and mark is not None:
                number = read_number(mark["label"].strip().rstrip("、.．"))
            heading = text[mark.end():].strip() if mark and not printed else text
            position = len(categories) + 1
            ordinal_c = number if number is not None else position
            taken = {category.ordinal for category in categories}
            if ordinal_c in taken:  # a category number printed twice: its position, else the next free one
                ordinal_c = position if position not in taken else max(taken) + 1
            lines = [cell.line_end for cell in row if cell.origin is None]
            section = TableSection(f"{table_id}.C{ordinal_c}", "category", ordinal_c, label or str(ordinal_c),
                                   heading or label, min(cell.line_start for cell in row if cell.origin is None),
                                   max(lines))
            categories.append(section)
            sections.append(section)
            continue
        unaligned = r in table.unaligned_rows
        if not unaligned and not _names_unit(row, columns):
            continue
        current = categories[-1] if categories else None
        printed, number, continues = "", None, False
        if number_at is not None:
            cell = row[number_at]
            if cell.origin is not None and cell.origin[0] != r:
                continues = True
            elif not is_empty(cell.text):
                printed, number = cell.text.strip(), read_number(cell.text)
            else:
                continues = True
        elif title_at is not None:
            cell = row[title_at]
            found = match_heading(cell.text.strip())
            if found is not None and not (cell.origin is not None and cell.origin[0] != r):
                printed, number = found.label.strip(), found.ordinal
        rows.append((r, current, number, printed, continues))

    restarts = _restarts(rows)
    tasks: list[TableTask] = []
    used: dict[str, int] = {}
    last_base: str | None = None
    last_label: tuple[str, int] = ("", 0)
    findings: list[Finding] = []
    for order, (r, category, number, printed, continues) in enumerate(rows, start=1):
        row = table.rows[r]
        if continues and last_base is not None:
            base = last_base
            printed, number = last_label
        else:
            parent = category.section_id if (restarts and category is not None) else table_id
            base = f"{parent}.{number if number is not None else order}"
            last_base, last_label = base, (printed, number if number is not None else order)
        used[base] = used.get(base, 0) + 1
        task_id = base if used[base] == 1 else f"{base}-{used[base]}"
        texts = []
        for c in text_columns:
            text = row[c].text.strip()
            if not is_empty(text) and (not texts or texts[-1] != text):
                texts.append(text)
        title = row[title_at].text.strip() if title_at is not None and not is_empty(row[title_at].text) else ""
        units: list[TableUnits] = []
        open_ended = False
        if r not in table.unaligned_rows:
            for column in columns:
                if column.kind != "role_column":
                    continue
                cell = row[column.index]
                if is_empty(cell.text) or not _own_column(cell, column.index):
                    continue
                listed, ended = split_cell_units(cell.text)
                open_ended = open_ended or ended
                if listed:
                    units.append(TableUnits(cell.line_start, column.role, column.printed, listed, column.index + 1))
        deadline = None
        if deadline_at is not None and not is_empty(row[deadline_at].text):
            deadline = row[deadline_at].text.strip()
        cells = [cell for cell in row if cell.text.strip()]
        line_start = min((cell.line_start for cell in cells), default=table.line_start)
        line_end = max((cell.line_end for cell in cells), default=line_start)
        section_id = category.section_id if category is not None else table_id
        tasks.append(TableTask(task_id, section_id, printed or str(number if number is not None else order),
                               title or (texts[0].split("\n", 1)[0] if texts else printed),
                               "\n".join(texts) or title or printed, line_start, line_end, r + 1, units,
                               open_ended, deadline))
    return TableReading(sections, tasks, findings, True)


def has_role_column(table: Table) -> bool:
    header_rows = count_header_rows(table)
    return bool(header_rows) and any(column.kind == "role_column" for column in columns_of(table, header_rows))


def _names_unit(row: tuple[Cell, ...], columns: list[Column]) -> bool:
    """A role cell of the row holds a unit (a cell merged across from another column is not a role cell)."""
    return any(column.kind == "role_column" and _own_column(row[column.index], column.index)
               and not is_empty(row[column.index].text) and split_cell_units(row[column.index].text)[0]
               for column in columns)


def _own_column(cell: Cell, c: int) -> bool:
    return cell.origin is None or cell.origin[1] == c


def _restarts(rows: list[tuple[int, TableSection | None, int | None, str, bool]]) -> bool:
    """The numbering restarts in each category: a later category's first number is not above the numbers before it."""
    seen_max, category_first = 0, {}
    for _, category, number, _, continues in rows:
        if number is None or continues or category is None:
            continue
        key = category.section_id
        if key not in category_first:
            category_first[key] = number
            if seen_max and number <= seen_max:
                return True
        seen_max = max(seen_max, number)
    return False


def _other_table_findings(table: Table, columns: list[Column], header_rows: int) -> list[Finding]:
    """A table whose deadlines are its column headers and whose units are row labels is not read as
    assignments: one info finding says so."""
    dated = [column.printed for column in columns if _DEADLINE_HEADER.search(column.printed)]
    if not columns or header_rows == 0:
        # The header may not name any column the vocabulary knows; look at the first two rows as printed.
        dated = [cell.text for r in range(min(2, len(table.rows))) for cell in table.rows[r]
                 if cell.origin is None and _DEADLINE_HEADER.search(cell.text)]
    if len(dated) >= 2:
        return [Finding(table.line_start, "table_units_in_rows",
                        f"table read as no assignments: its deadlines are column headers ({'、'.join(dated[:3])}…) "
                        "and its units are row labels", dated[0])]
    return []
