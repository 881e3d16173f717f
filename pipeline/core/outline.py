"""Lines -> the heading tree (chapters, sections, items), assignment blocks and tasks.

A task is the span governed by one assignment block (a lead line and the
co-operating lines after it). It attaches to the single item that started since
the previous block, to the section when several items share the block, and to
the section itself when it has no items.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.findings import KINDS, Finding
from pipeline.core.header import Header, parse_header
from pipeline.core.lines import Line, split_lines
from pipeline.core.marks import MISPRINTED_ROLE_LABELS, ROLE_LABELS, match_heading, match_unit_line
from pipeline.core.sentences import split_first_sentence, split_units
from pipeline.errors import PlanDataError

LEVEL_NAMES = {1: "chapter", 2: "section", 3: "item"}


@dataclass
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

    @property
    def parent_id(self) -> str | None:
        return self.parent.section_id if self.parent else None

    def extend_to(self, line: int) -> None:
        node: Node | None = self
        while node is not None:
            node.line_end = max(node.line_end, line)
            node = node.parent


@dataclass(frozen=True)
class UnitLine:
    line: int
    role: str | None
    role_label: str
    units: list[str]


@dataclass
class Task:
    task_id: str
    node: Node
    seq: int
    text: str
    line_start: int
    unit_lines: list[UnitLine] = field(default_factory=list)

    @property
    def line_end(self) -> int:
        return self.unit_lines[-1].line


@dataclass
class Outline:
    header: Header
    nodes: list[Node]
    tasks: list[Task]
    findings: list[Finding]


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.root = Node("", None, 0, 0, "", "", 0, 0)
        self.nodes: list[Node] = []
        self.tasks: list[Task] = []
        self.findings: list[Finding] = []
        self.open: dict[int, Node] = {}  # level -> currently open node
        self.items_since_block: list[Node] = []
        self.governed: list[Line] = []  # content lines since the last block or section heading
        self.block: Task | None = None

    # -- headings -----------------------------------------------------------------
    def heading(self, line: Line, level: int, ordinal: int, label: str, rest: str) -> None:
        self.close_block()
        parent = self.root if level == 1 else self.open.get(level - 1)
        if parent is None:
            raise PlanDataError(
                f"{LEVEL_NAMES[level]} {label} stands outside any {LEVEL_NAMES[level - 1]}",
                file=self.file, line=line.number)
        self.check_numbering(parent, line, level, ordinal, label)
        heading, body = split_first_sentence(rest)
        content = line.text if level == 3 else body
        section_id = f"{parent.section_id}.{ordinal}" if parent is not self.root else str(ordinal)
        node = Node(section_id, parent if parent is not self.root else None, level, ordinal, label,
                    heading.strip(), line.number, line.number)
        if body:
            node.body.append(body)
        parent.children.append(node)
        self.nodes.append(node)
        for deeper in range(level, 4):
            self.open.pop(deeper, None)
        self.open[level] = node
        if level < 3:
            self.items_since_block = []
            self.governed = []
        else:
            self.items_since_block.append(node)
        if content:
            self.governed.append(Line(line.number, content))

    def check_numbering(self, parent: Node, line: Line, level: int, ordinal: int, label: str) -> None:
        previous = parent.children[-1].ordinal if parent.children else 0
        name = LEVEL_NAMES[level]
        if ordinal <= previous:
            where = (f"in {LEVEL_NAMES[parent.level]} {parent.label}{parent.heading} (line {parent.line_start})"
                     if parent is not self.root else "in the notice")
            earlier = next((child for child in parent.children if child.ordinal == ordinal), None)
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
        node = self.deepest()
        node.body.append(line.text)
        node.extend_to(line.number)
        self.governed.append(line)

    def deepest(self) -> Node:
        return self.open.get(3) or self.open.get(2) or self.open[1]

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
        units = split_units(listed)
        if not units:
            self.findings.append(Finding(line.number, "empty_unit_list", f"{raw_label} lists no unit", raw_label))
        assert self.block is not None
        if starts_block and role == "co":
            self.findings.append(Finding(line.number, "missing_lead",
                                         f"{raw_label} line with no 牵头单位 line before it", raw_label))
        self.block.unit_lines.append(UnitLine(line.number, role, raw_label, units))
        self.block.node.extend_to(line.number)

    def open_block(self, line: Line) -> None:
        if not self.governed:
            raise PlanDataError("unit line with no provision text before it: a unit line must follow "
                                "the text it assigns, not a bare heading or another block",
                                file=self.file, line=line.number)
        if len(self.items_since_block) == 1:
            node = self.items_since_block[0]
            governed = [piece for piece in self.governed if piece.number >= node.line_start]
        elif self.items_since_block:
            node = self.open.get(2) or self.open[1]
            governed = self.governed
            self.open.pop(3, None)  # text after a shared block belongs to the section again
        else:
            node = self.deepest()
            governed = self.governed
        node.task_count += 1
        suffix = "" if node.task_count == 1 else f"-{node.task_count}"
        self.block = Task(node.section_id + suffix, node, len(self.tasks) + 1,
                          "\n".join(piece.text for piece in governed), governed[0].number)
        self.tasks.append(self.block)

    def close_block(self) -> None:
        if self.block is not None:
            self.block = None
            self.items_since_block = []
            self.governed = []


def parse_outline(text: str, file: str) -> Outline:
    lines = [line for line in split_lines(text) if line.text]
    first = next((i for i, line in enumerate(lines)
                  if (found := match_heading(line.text)) and found.level == 1), None)
    if first is None:
        raise PlanDataError("no chapter heading (一、…) found: this does not look like a plan notice", file=file)
    header = parse_header(lines[:first], lines[first].number)
    builder = _Builder(file)
    for line in lines[first:]:
        unit = match_unit_line(line.text)
        if unit:
            builder.unit_line(line, *unit)
            continue
        found = match_heading(line.text)
        if found:
            builder.heading(line, found.level, found.ordinal, found.label, found.rest)
        else:
            builder.paragraph(line)
    builder.close_block()
    findings = sorted(header.findings + builder.findings, key=lambda f: (f.line or 0, f.kind))
    assert all(f.kind in KINDS for f in findings)
    return Outline(header, builder.nodes, builder.tasks, findings)
