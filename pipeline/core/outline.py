"""Lines -> the heading tree (chapters, sections, items), assignment blocks and tasks.

A task is the span governed by one assignment block (a lead line and the
co-operating lines after it). It attaches to the single item that started since
the previous block, to the section when several items share the block, and to
the section itself when it has no items.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

import datetime as dt
import itertools
import re

from pipeline.core.attachments import Listed, Part, split_attachments
from pipeline.core.clauses import Clause, find_clauses
from pipeline.core.deadlines import match_deadline_line, plan_year, read_deadline, split_deadline
from pipeline.core.document import Document, Paragraph, Table
from pipeline.core.table_tasks import has_role_column, read_table
from pipeline.core.findings import KINDS, Finding
from pipeline.core.header import Header, parse_header, split_signature
from pipeline.core.lines import Line, split_run_on
from pipeline.core.marks import (LABEL_ANYWHERE, MISPRINTED_ROLE_LABELS, ROLE_LABELS, Heading, match_digit_led_item,
                                 match_heading, match_unit_line)
from pipeline.core.sentences import split_first_sentence, split_unit_list, without_final_etc
from pipeline.errors import PlanDataError

LEVEL_NAMES = {1: "chapter", 2: "section", 3: "item", 4: "sub-item"}
# A sentence after the figures a digit-led item opens with (11.121人才工程。…).
_SENTENCE = re.compile(r"^[0-9０-９]+[^0-9０-９.．。]+?.*[。；！？]")
# Nodes outside the outline's numbering (level 0): an attachment (附件), a table, a table's category row.
PART_KINDS = ("attachment", "table", "category")


@dataclass(slots=True)
class Node:
    section_id: str
    parent: "Node | None"
    level: int
    ordinal: int
    label: str
    heading: str
    line_start: int
    line_end: int
    body: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    task_count: int = 0
    last_child: dict[int, int] = field(default_factory=dict)  # level -> last ordinal among the children
    governed_from: int = 0  # where the node's own text starts in the builder's governed lines
    kind: str = ""  # chapter, section, item, sub-item (from the level), or one of PART_KINDS at level 0

    @property
    def kind_name(self) -> str:
        return self.kind or LEVEL_NAMES.get(self.level, "")

    @property
    def parent_id(self) -> str | None:
        return self.parent.section_id if self.parent else None

    def extend_to(self, line: int) -> None:
        node: Node | None = self
        while node is not None:
            node.line_end = max(node.line_end, line)
            node = node.parent


class UnitLine(NamedTuple):
    line: int
    role: str | None
    role_label: str
    units: list[str]
    column: int | None = None  # the table column the units were read from (1-based)


@dataclass(slots=True)
class Task:
    task_id: str
    node: Node
    seq: int
    text: str
    line_start: int
    unit_lines: list[UnitLine] = field(default_factory=list)
    clause: str | None = None  # the clause as printed, when it stood in the text
    open_ended: bool = False  # a list ends in 等: more units than the ones named
    first_listed: bool = False  # a first-listed convention is in force: the first responsible unit leads
    deadline: str | None = None  # the deadline as printed (a table's deadline column, a 完成时限： label)
    deadline_line: int | None = None  # where a labelled deadline was printed
    due_date: dt.date | None = None  # the last day the deadline allows (pipeline/core/deadlines.py)
    deadline_kind: str | None = None  # date, standing or recurring
    # A table row's task: its own numbering and title (not its section's), and where it was printed.
    label: str | None = None
    title: str | None = None
    table_id: str | None = None
    table_row: int | None = None
    last_line: int | None = None

    @property
    def governed_until(self) -> int:
        """The first line after the task's governed text: its first unit line; after its row for a table row."""
        if self.table_id is not None:
            return self.line_end + 1
        return self.unit_lines[0].line

    @property
    def line_end(self) -> int:
        if self.last_line is not None:
            return self.last_line
        return self.unit_lines[-1].line


@dataclass
class Outline:
    header: Header
    nodes: list[Node]
    tasks: list[Task]
    findings: list[Finding]
    attachments: list[Listed] = field(default_factory=list)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.root = Node("", None, 0, 0, "", "", 0, 0)
        self.nodes: list[Node] = []
        self.tasks: list[Task] = []
        self.findings: list[Finding] = []
        self.open: dict[int, Node] = {}  # level -> currently open node
        self.started_since_block: list[Node] = []  # items and sub-items since the last block
        self.governed: list[Line] = []  # content lines since the last block or section heading
        self.block: Task | None = None
        self.last_at_level: dict[int, int] = {}  # the last number printed at each level, for run-on numbering
        self.first_listed = False  # a first-listed convention with 下同 is in force
        self.conventions_seen: set[str] = set()
        self.after_task: Task | None = None  # the task just closed, while no text has followed it
        self.part_root = self.root  # the body, or the attachment whose text is being read
        self.prefix = ""  # of the ids under part_root: none for the body, A2. in attachment 2
        self.part_nodes: dict[str, Node] = {}
        self.tables_in_part: dict[str, int] = {}

    # -- headings -----------------------------------------------------------------
    def heading(self, line: Line, level: int, ordinal: int, label: str, rest: str) -> None:
        self.close_block()
        self.after_task = None
        parent = self.part_root
        for up in range(level - 1, 0, -1):
            if up in self.open:
                parent = self.open[up]
                break
        self.check_numbering(parent, line, level, ordinal, label)
        clauses = find_clauses(rest)
        heading, body = split_first_sentence(_cut(rest, clauses))
        # One id segment per level down to the node's own, 0 where a level is absent (4.0.40, 0.1).
        segments = parent.section_id[len(self.prefix):].split(".") if parent is not self.part_root else []
        segments += ["0"] * (level - 1 - len(segments)) + [str(ordinal)]
        node = Node(self.prefix + ".".join(segments), parent if parent is not self.root else None, level, ordinal,
                    label, heading.strip(), line.number, line.number)
        if body:
            node.body.append(body)
        parent.children.append(node)
        parent.last_child[level] = ordinal
        self.last_at_level[level] = ordinal
        self.nodes.append(node)
        for deeper in range(level, 5):
            self.open.pop(deeper, None)
        self.open[level] = node
        if level < 3:
            self.started_since_block = []
            self.governed = []
        else:
            node.governed_from = len(self.governed)
            self.started_since_block.append(node)
        if level >= 3:
            self.content(line.number, line.text, _shift(clauses, len(line.text) - len(rest)))
        elif clauses:
            # The heading sentence is not governed text, unless nothing else precedes the first clause.
            cut = len(heading) + 1
            first = rest[:clauses[0].start]
            skip = cut if first[cut:].strip() else 0
            self.content(line.number, rest[skip:], _shift(clauses, -skip))
        elif body:
            self.governed.append(Line(line.number, body))

    def continuing_item(self, text: str, later: Iterable[Heading | None]) -> Heading | None:
        """``11.121人才…`` after item 10 is item 11 (a project name starting with digits), not a decimal:
        a mark followed by digits opens an item only when its number is the next one at its level, and the
        next item printed at that level (in ``later``, the headings of the lines after it, before a higher
        level's) is not that number again (``3.5万元…`` between items 2 and 3 is text). The paragraph must read
        as an item, with a sentence in it: a bare figure (``4.42``, a cell of a table printed as paragraphs) is text."""
        found = match_digit_led_item(text)
        if found is None or not _SENTENCE.search(found.rest):
            return None
        for heading in later:
            if heading is not None and heading.level <= found.level:
                if heading.level == found.level and heading.ordinal == found.ordinal:
                    return None
                break
        parent = next((self.open[up] for up in range(found.level - 1, 0, -1) if up in self.open), self.root)
        previous = parent.last_child.get(found.level, 0) or self.last_at_level.get(found.level, 0)
        return found if previous and found.ordinal == previous + 1 else None

    def check_numbering(self, parent: Node, line: Line, level: int, ordinal: int, label: str) -> None:
        previous = parent.last_child.get(level, 0)
        name = LEVEL_NAMES[level]
        if previous == 0 and ordinal == self.last_at_level.get(level, 0) + 1:
            return  # numbering that runs on across parents: （三） opening chapter 二 after （二）
        if previous == 0 and ordinal > self.last_at_level.get(level, ordinal) + 1:
            previous = self.last_at_level[level]
        if ordinal <= previous:
            where = (f"in {parent.kind_name} {parent.label}{parent.heading} (line {parent.line_start})"
                     if parent is not self.root else "in the notice")
            earlier = next((child for child in parent.children
                            if child.ordinal == ordinal and child.level == level), None)
            if earlier is not None:
                raise PlanDataError(f"duplicate {name} number {label} {where}: "
                                    f"number {ordinal} is already used at line {earlier.line_start}",
                                    file=self.file, line=line.number)
            raise PlanDataError(f"out-of-order {name} number {label} {where}: "
                                f"it follows number {previous}", file=self.file, line=line.number)
        if ordinal > previous + 1:
            self.findings.append(Finding(line.number, "numbering_gap",
                                         f"{name} {label} follows number {previous}: "
                                         f"{ordinal - previous - 1} number(s) skipped", label))

    # -- paragraphs -----------------------------------------------------------------
    def paragraph(self, line: Line) -> None:
        self.close_block()
        self.after_task = None
        node = self.deepest()
        clauses = find_clauses(line.text)
        node.extend_to(line.number)
        if not clauses:
            node.body.append(line.text)
            self.governed.append(line)
            return
        text = _cut(line.text, clauses)
        if text:
            node.body.append(text)
        self.content(line.number, line.text, clauses)

    def deepest(self) -> Node:
        return self.open[max(self.open)] if self.open else self.part_root

    # -- attachments and tables -------------------------------------------------------
    def part_node(self, part: Part, line: int = 1) -> Node:
        """The section of a part (an attachment, or the body A0 once a table of it is read, from that table's line)."""
        node = self.part_nodes.get(part.part_id)
        if node is None:
            parent = self.part_nodes.get(part.parent.part_id) if part.parent is not None else None
            ordinal = int(part.part_id.rsplit("A", 1)[1])
            node = Node(part.part_id, parent, 0, ordinal, part.label or part.part_id, part.title or part.label or part.part_id,
                        part.line or line, part.line or line, kind="attachment")
            self.part_nodes[part.part_id] = node
            self.nodes.append(node)
        return node

    def start_part(self, part: Part) -> None:
        """The text of an attachment starts: its outline is numbered afresh, under the attachment's id."""
        self.close_block()
        self.part_root = self.part_node(part)
        self.prefix = part.prefix
        self.open = {}
        self.started_since_block = []
        self.governed = []
        self.last_at_level = {}

    def table(self, part: Part, table: Table, caption: str | None) -> None:
        self.close_block()
        count = self.tables_in_part[part.part_id] = self.tables_in_part.get(part.part_id, 0) + 1
        reading = read_table(table, f"{part.part_id}.T{count}", count, caption or part.title)
        self.findings.extend(reading.findings)
        if not reading.responsibility:
            return
        parent = self.part_node(part, table.line_start)
        by_id: dict[str, Node] = {}
        for section in reading.sections:
            up = parent if section.kind == "table" else by_id[section.section_id.rsplit(".", 1)[0]]
            node = Node(section.section_id, up, 0, section.ordinal, section.label, section.heading,
                        section.line_start, section.line_end, kind=section.kind)
            by_id[section.section_id] = node
            self.nodes.append(node)
            up.extend_to(section.line_end)
        for row in reading.tasks:
            node = by_id[row.section_id]
            node.task_count += 1
            task = Task(row.task_id, node, len(self.tasks) + 1, row.text, row.line_start,
                        [UnitLine(units.line, units.role, units.role_label, units.units, units.column)
                         for units in row.units],
                        open_ended=row.open_ended, deadline=row.deadline, label=row.label, title=row.title,
                        table_id=reading.sections[0].section_id, table_row=row.row,
                        last_line=row.line_end)
            self.tasks.append(task)

    def content(self, number: int, text: str, clauses: list[Clause]) -> None:
        """Governed text, and one task for each clause: a clause governs the text since the previous one."""
        at = 0
        for clause in clauses:
            before = text[at:clause.start].strip()
            if before:
                self.governed.append(Line(number, before))
            self.clause(number, clause)
            at = clause.end
        after = text[at:].strip().lstrip("。．.").strip()
        if after:
            self.governed.append(Line(number, after))
            self.after_task = None

    # -- clauses in the text --------------------------------------------------------
    def clause(self, number: int, clause: Clause) -> None:
        self.close_block()
        line = Line(number, clause.printed)
        if clause.convention is not None:
            if clause.convention not in self.conventions_seen:
                self.conventions_seen.add(clause.convention)
                self.findings.append(Finding(number, "convention",
                                             f"convention in force {'to the end of the notice' if clause.lasting else 'for this clause'}: "
                                             f"the first named unit of a 负责 clause leads, the others co-operate",
                                             clause.convention))
            self.first_listed = self.first_listed or clause.lasting
        if clause.note and clause.convention is None:
            self.findings.append(Finding(number, "clause_note",
                                         "a note in a responsibility clause, kept as printed: no unit is read from it",
                                         clause.note))
        self.open_block(line)
        assert self.block is not None
        self.block.clause = clause.printed
        self.block.open_ended = clause.open_ended
        self.block.first_listed = self.first_listed or clause.convention is not None
        if clause.deadline is not None:
            self.block.deadline, self.block.deadline_line = clause.deadline, number
        for group in clause.groups:
            self.block.unit_lines.append(UnitLine(number, group.role, group.role_label, list(group.units)))
        self.block.node.extend_to(number)
        self.close_block()

    # -- unit lines -----------------------------------------------------------------
    def unit_line(self, line: Line, raw_label: str, listed: str) -> None:
        role = ROLE_LABELS.get(raw_label)
        if role is None and raw_label in MISPRINTED_ROLE_LABELS:
            role = MISPRINTED_ROLE_LABELS[raw_label]
            self.findings.append(Finding(line.number, "misprinted_label",
                                         f"label {raw_label} read as a {role} line", raw_label))
        elif role is None:
            self.findings.append(Finding(line.number, "unknown_label",
                                         f"unknown unit-line label {raw_label}: add it to the vocabulary "
                                         "or correct the text", raw_label))
        starts_block = self.block is None or role in ("lead", "responsible")
        if starts_block:
            self.close_block()
            self.open_block(line)
        listed, deadline = split_deadline(listed)
        if deadline is not None:
            self.block.deadline, self.block.deadline_line = deadline, line.number
        units, open_ended = split_unit_list(listed)
        # On a separate unit line a bare final 等 is list punctuation (as publishers vary it); only a
        # collective printed after 等 (等有关部门, 等有关部门等) makes the task open-ended there.
        open_ended = open_ended and bool(units) and split_unit_list(without_final_etc(listed))[1]
        if not units:
            self.findings.append(Finding(line.number, "empty_unit_list", f"{raw_label} lists no unit", raw_label))
        assert self.block is not None
        self.block.open_ended = self.block.open_ended or open_ended
        self.block.first_listed = self.first_listed
        if line.run_on:
            self.block.clause = f"{self.block.clause}{line.text}" if self.block.clause else line.text
        if starts_block and role == "co":
            self.findings.append(Finding(line.number, "missing_lead",
                                         f"{raw_label} line with no 牵头单位 line before it", raw_label))
        self.block.unit_lines.append(UnitLine(line.number, role, raw_label, units))
        self.block.node.extend_to(line.number)

    def deadline(self, line: Line, printed: str) -> bool:
        """A labelled deadline line (完成时限：…) belongs to the task whose unit lines or clause it follows;
        False when no task stands right before it (it is then text)."""
        task = self.block or self.after_task
        if task is None:
            return False
        task.deadline, task.deadline_line = printed, line.number
        if self.block is not None:
            task.node.extend_to(line.number)
        return True

    def open_block(self, line: Line) -> None:
        if not self.governed:
            raise PlanDataError("unit line with no provision text before it: a unit line must follow "
                                "the text it assigns, not a bare heading or another block",
                                file=self.file, line=line.number)
        started = self.started_since_block
        if started:
            top = min([node.level for node in started])
            started = [node for node in started if node.level == top]
        if len(started) == 1:
            node = started[0]
            governed = self.governed[node.governed_from:]  # not by line number: pieces may share a line
        elif started:
            node = started[0].parent or started[0]
            governed = self.governed
            for deeper in range(node.level + 1, 5):
                self.open.pop(deeper, None)  # text after a shared block belongs to the section again
        else:
            node = self.deepest()
            governed = self.governed
        node.task_count += 1
        suffix = "" if node.task_count == 1 else f"-{node.task_count}"
        self.block = Task(node.section_id + suffix, node, len(self.tasks) + 1,
                          "\n".join([piece.text for piece in governed]), governed[0].number)
        self.tasks.append(self.block)

    def close_block(self) -> None:
        if self.block is not None:
            self.after_task = self.block
            self.block = None
            self.started_since_block = []
            self.governed = []


def _cut(text: str, clauses: list[Clause]) -> str:
    """The text without its clauses."""
    if not clauses:
        return text
    pieces, at = [], 0
    for clause in clauses:
        pieces.append(text[at:clause.start])
        at = clause.end
    pieces.append(text[at:])
    return "".join(pieces).strip()


def _shift(clauses: list[Clause], by: int) -> list[Clause]:
    if not by:
        return clauses
    return [clause._replace(start=clause.start + by, end=clause.end + by) for clause in clauses]


def read_task_deadlines(tasks: list[Task], header: Header) -> list[Finding]:
    """Each task's due date and deadline kind from its deadline as printed; findings for the ones not read."""
    findings = []
    year = plan_year(header.period_start, header.period_end, header.title)
    for task in tasks:
        if task.deadline is None:
            continue
        reading, problem = read_deadline(task.deadline, year)
        task.due_date, task.deadline_kind = reading.due_date, reading.kind
        if problem is not None:
            findings.append(Finding(task.deadline_line or task.line_start, problem[0], problem[1], task.deadline))
    return findings


def parse_outline(text: str, file: str) -> Outline:
    """The outline of a plain text (tests and callers that hold text, not a file)."""
    from pipeline.core.readers.text import text_paragraphs
    return parse_document(Document(file, "text", "utf-8", text, tuple(text_paragraphs(text))))


def parse_document(document: Document) -> Outline:
    file = document.file
    try:
        split = split_attachments(document.blocks)
    except PlanDataError as error:
        raise PlanDataError(error.message, file=file, line=error.line) from None
    # The notice's items in printed order: (part, line) for a paragraph's lines, (part, table) for a table.
    items: list[tuple[Part, Line | Table]] = []
    for part in split.parts:
        paragraphs: list[Line] = []
        for block in [*part.blocks, None]:
            if isinstance(block, Paragraph):
                paragraphs.append(Line(block.line, block.text))
                continue
            items.extend((part, line) for line in split_run_on(paragraphs))
            paragraphs = []
            if block is not None:
                items.append((part, block))
    lines = [(at, item) for at, (_, item) in enumerate(items) if isinstance(item, Line)]
    first = next((at for at, line in lines if match_heading(line.text)), None)
    if first is None:
        raise PlanDataError("no chapter heading (一、…) nor any other numbered heading found: "
                            "this does not look like a plan notice", file=file)
    # The body's signature (an 意见's issuer and date after its text) ends the body, before any attachment.
    body_end = next((at for at, (part, _) in enumerate(items) if part is not split.parts[0]), len(items))
    body_lines = [item for part, item in items[first:body_end] if isinstance(item, Line)]
    _, signature = split_signature(body_lines)
    signed = {id(line) for line in signature.lines} if signature is not None else set()
    header = parse_header([item for at, (_, item) in enumerate(items[:first]) if isinstance(item, Line)],
                          items[first][1].number, signature)
    builder = _Builder(file)
    current = split.parts[0]
    for at, (part, item) in enumerate(items[:first]):
        if isinstance(item, Table):
            builder.table(part, item, _caption(items, at))
    # Headings of the lines after each one, for a digit-led item's look-ahead; a table or another part ends it.
    stop = Heading(0, 0, "", "")
    headings = [stop if isinstance(item, Table) or (at and part is not items[at - 1][0]) else match_heading(item.text)
                for at, (part, item) in enumerate(items)]
    for at, (part, item) in enumerate(items[first:], start=first):
        if part is not current:
            current = part
            builder.start_part(part)
        if isinstance(item, Table):
            builder.table(part, item, _caption(items, at))
            continue
        if id(item) in signed:
            continue
        deadline = match_deadline_line(item.text)
        if deadline is not None and builder.deadline(item, deadline):
            continue
        unit = match_unit_line(item.text)
        if unit:
            builder.unit_line(item, *unit)
            continue
        found = match_heading(item.text) or builder.continuing_item(item.text, itertools.islice(headings, at + 1, None))
        if found:
            builder.heading(item, found.level, found.ordinal, found.label, found.rest)
        else:
            builder.paragraph(item)
    builder.close_block()
    for part in split.parts[1:]:
        builder.part_node(part)  # an attachment without outline or table is still a section
    _no_tasks(builder, items)
    builder.findings += read_task_deadlines(builder.tasks, header)
    findings = sorted(header.findings + builder.findings, key=lambda f: (f.line or 0, f.kind))
    assert all(f.kind in KINDS for f in findings)
    nodes = sorted(builder.nodes, key=_node_order(builder.nodes))
    return Outline(header, nodes, builder.tasks, findings, split.listed)


def _caption(items: list, at: int) -> str | None:
    """The line printed just before a table in its part when it reads as a caption (表1 …, …分工表): short,
    and no sentence."""
    if at == 0 or items[at - 1][0] is not items[at][0] or not isinstance(items[at - 1][1], Line):
        return None
    text = items[at - 1][1].text
    return text if len(text) <= 60 and not any(mark in text for mark in "。；：:") else None


def _node_order(nodes: list[Node]):
    """Document order, a part before what it holds (its section is made when its first table or line is read)."""
    rank = {id(node): at for at, node in enumerate(nodes)}

    def key(node: Node) -> tuple[int, int, int]:
        return (node.line_start, 0 if node.level == 0 else 1, rank[id(node)])
    return key


def _no_tasks(builder: "_Builder", items: list) -> None:
    """A notice that prints a role label, a bracketed role clause or a table with a role column, and
    yet gives no task, gets a warning naming the first such line. Role verbs in running text
    (负责, 牵头) and duty lists (区发改委：负责…) are no trigger."""
    if builder.tasks:
        return
    for _, item in items:
        if isinstance(item, Table):
            if has_role_column(item):
                builder.findings.append(Finding(item.line_start, "no_tasks",
                                                "no task was read, yet this table has a role column", None))
                return
            continue
        label = LABEL_ANYWHERE.search(item.text)  # 牵头单位： as a unit line, run on, or in a bracket
        if label is not None:
            builder.findings.append(Finding(item.number, "no_tasks",
                                            "no task was read, yet this line prints a role label",
                                            label.group("label")))
            return
        clauses = find_clauses(item.text)
        if clauses:
            builder.findings.append(Finding(item.number, "no_tasks",
                                            "no task was read, yet this line prints a responsibility clause",
                                            clauses[0].printed))
            return
