"""A notice's attachments (附件): the list of their titles after the body, and the parts headed 附件1 / 附件.

The list (``附件：1．A`` and the ``2．B`` lines after it) is not outline text: it is published as the
``attachments`` table and taken out of the paragraphs the outline reads. A paragraph that is only an
attachment heading (``附件``, ``附件2``, ``附件：``), printed after the issue date, starts a part of the
notice whose outline and tables take ids under the attachment (``A2.1.3``, ``A2.T1``). An attachment that
prints its own attachment list holds the attachments headed after it (``A1.A1``: a plan printed as the
notice's attachment, with its own 附件 table). A table printed straight after a list, with no heading
between them, is the first listed attachment's.

The body is part ``A0``; its outline keeps the plain ids (``3.2``) so that notices without attachments
publish the ids they always had.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.core.document import Block, Paragraph, Table
from pipeline.core.header import parse_date
from pipeline.core.marks import chinese_numeral
from pipeline.errors import PlanDataError

_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMBER = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}"
HEADING = re.compile(rf"^附\s*件\s*(?P<n>{_NUMBER})?\s*[：:]?$")
LIST_START = re.compile(r"^附\s*件\s*[：:]\s*(?P<rest>\S.*)$")
LIST_ITEM = re.compile(r"^(?P<n>[0-9０-９]{1,2})\s*[.．、]\s*(?P<title>\S.*)$")


def _number(printed: str) -> int:
    digits = printed.translate(_WIDE_DIGITS)
    return int(digits) if digits.isdigit() else chinese_numeral(printed)


@dataclass(frozen=True)
class Listed:
    """One title of an attachment list, as printed."""
    owner: str  # the part that prints the list: "A0" for the body, "A1" for attachment 1
    ordinal: int
    title: str
    line: int


@dataclass
class Part:
    part_id: str  # A0 the body, A1, A1.A1
    label: str  # the heading as printed (附件1); empty for the body
    line: int  # the heading's line (0 for the body)
    title: str | None = None  # the listed title, or the paragraph printed under the heading
    blocks: list[Block] = field(default_factory=list)
    parent: "Part | None" = None
    lists: bool = False  # the part printed an attachment list: the attachments headed after it are its own
    children: int = 0

    @property
    def prefix(self) -> str:
        """The prefix of the part's outline ids: none for the body, so that its ids stay as they were."""
        return "" if self.part_id == "A0" else f"{self.part_id}."


@dataclass
class Attachments:
    parts: list[Part]  # the body first, then the attachments in printed order
    listed: list[Listed]
    list_lines: frozenset[int]  # the lines of the attachment lists and headings (not outline text)


def _list_items(blocks: list[Block], at: int) -> tuple[list[tuple[int, str, int]], int]:
    """The titles of the list starting at blocks[at] as (number, title, line), and the index after it."""
    first = blocks[at]
    assert isinstance(first, Paragraph)
    rest = LIST_START.match(first.text)["rest"]
    numbered = LIST_ITEM.match(rest)
    if numbered is None:
        return [(1, rest, first.line)], at + 1
    items = [(_number(numbered["n"]), numbered["title"], first.line)]
    at += 1
    while at < len(blocks) and isinstance(blocks[at], Paragraph):
        found = LIST_ITEM.match(blocks[at].text)
        if found is None or _number(found["n"]) != items[-1][0] + 1:
            break
        items.append((_number(found["n"]), found["title"], blocks[at].line))
        at += 1
    return items, at


def split_attachments(blocks: tuple[Block, ...] | list[Block]) -> Attachments:
    blocks = list(blocks)
    body = Part("A0", "", 0)
    parts, listed, marks = [body], [], set()
    current = body
    dated = False  # the issue date has been printed: an attachment heading may follow
    pending: tuple[Part, str] | None = None  # a list just printed, not yet followed by anything
    at = 0
    while at < len(blocks):
        block = blocks[at]
        if isinstance(block, Table):
            if pending is not None and pending[0] is current:
                current = _open(parts, current, "附件", block.line_start, pending[1])
            pending = None
            current.blocks.append(block)
            at += 1
            continue
        text = block.text
        if dated and HEADING.match(text):
            number = HEADING.match(text)["n"]
            title = pending[1] if pending is not None and number is None else None
            current = _open(parts, current, text, block.line, title, _number(number) if number else None)
            marks.add(block.line)
            pending = None
            at += 1
            continue
        if LIST_START.match(text):
            items, after = _list_items(blocks, at)
            owner = current
            for number, title, line in items:
                listed.append(Listed(owner.part_id, number, title, line))
                marks.add(line)
            owner.lists = True
            pending = (current, items[0][1]) if len(items) == 1 else None
            at = after
            continue
        dated = dated or parse_date(text) is not None
        if (isinstance(block, Paragraph) and current.title is None and current is not body
                and not current.blocks):
            current.title = text
        pending = None
        current.blocks.append(block)
        at += 1
    return Attachments(parts, listed, frozenset(marks))


def _open(parts: list[Part], current: Part, label: str, line: int, title: str | None,
          number: int | None = None) -> Part:
    """A new attachment after ``current``: its child when ``current`` (or one of its ancestors) printed a
    list of its own attachments, else a sibling of the top-level attachments."""
    owner: Part | None = current
    while owner is not None and not owner.lists:
        owner = owner.parent
    if owner is None:
        owner = parts[0]
    owner.children += 1
    ordinal = number if number is not None else owner.children
    owner.children = max(owner.children, ordinal)
    part_id = f"A{ordinal}" if owner.part_id == "A0" else f"{owner.part_id}.A{ordinal}"
    earlier = next((part for part in parts if part.part_id == part_id), None)
    if earlier is not None:
        raise PlanDataError(f"duplicate attachment number {label}: attachment {part_id} is already headed at line "
                            f"{earlier.line}", line=line)
    part = Part(part_id, label, line, title, parent=owner if owner.part_id != "A0" else None)
    parts.append(part)
    return part
