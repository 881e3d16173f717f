"""Responsibility clauses printed inside the text: ``（A牵头，B、C配合）``, ``（牵头单位：A；配合单位：B）``.

A bracket is a clause when its first part is a unit list followed by a role verb, or a role
label followed by units. Whatever follows in the same bracket is a note (a convention, a
standing sentence), never a unit. Every other bracket is text. The words come from
vocabulary.csv.
"""
from __future__ import annotations

import functools
import re
from typing import NamedTuple

from pipeline.core import vocabulary
from pipeline.core.deadlines import split_deadline
from pipeline.core.marks import LABEL_ANYWHERE, MISPRINTED_ROLE_LABELS, ROLE_LABELS
from pipeline.core.sentences import _positions, _scan, is_collective, split_unit_list

_BRACKETS = {"（": "）", "(": ")"}
_ALL_OPEN = "（(【〔《〈“‘「『["
_ALL_CLOSE = "）)】〕》〉”’」』]"
_ANY_BRACKET = re.compile(f"[{re.escape(_ALL_OPEN + _ALL_CLOSE)}]")
_BEFORE_CLAUSE = "。！？；;.!?"  # a clause follows a sentence end, or closes the text
_PART_SEPARATORS = "，,；;"
_SPACES = " \t\u3000\u00a0"
_MAX_UNIT = 30
# Text that reads as a sentence, not a body's name.
_NOT_A_NAME = re.compile(r"[的。：:向对将在从按由为]")


class Group(NamedTuple):
    role: str
    role_label: str  # the verb or label as printed
    units: tuple[str, ...]


class Clause(NamedTuple):
    start: int  # span of the bracket in the text, brackets included
    end: int
    printed: str
    groups: tuple[Group, ...]
    open_ended: bool
    note: str | None
    convention: str | None  # the first-listed convention printed in the note
    lasting: bool  # the convention says 下同
    deadline: str | None = None  # a labelled deadline printed in the bracket (完成时限：2019年底前), as printed


@functools.cache
def _convention() -> re.Pattern:
    """Any convention of the vocabulary, wherever it is printed."""
    words = vocabulary.longest_first("convention")
    return re.compile("|".join(map(re.escape, words)) if words else "(?!)")


def _looks_like_unit(unit: str) -> bool:
    return 0 < len(unit) <= _MAX_UNIT and not _NOT_A_NAME.search(unit)


def _units(text: str) -> tuple[list[str], bool] | None:
    units, open_ended = split_unit_list(text)
    if not units:
        return None
    # Units are pieces of the text (joined by 、 at most): a text with no sentence character has none in them.
    if _NOT_A_NAME.search(text) is None:
        if max(map(len, units)) > _MAX_UNIT or "" in units:
            return None
    elif not all(_looks_like_unit(unit) for unit in units):
        return None
    return units, open_ended


def _strip_suffix(text: str, words: tuple[str, ...]) -> tuple[str, str | None]:
    if not text.endswith(words):
        return text, None
    for word in words:
        if text.endswith(word):
            return text[:-len(word)], word
    return text, None


@functools.cache
def _verb_words() -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...], dict[str, str]]:
    """(verbs longest first, role of each verb, qualifiers longest first, role of each joiner)."""
    return (vocabulary.longest_first("verb"), vocabulary.roles_of("verb"), vocabulary.longest_first("qualifier"),
            vocabulary.roles_of("joiner"))


def _note_reading(note: str | None) -> tuple[str | None, bool]:
    if not note:
        return None, False
    convention = next((word for word in vocabulary.longest_first("convention") if word in note), None)
    lasting = convention is not None and any(word in note for word in vocabulary.longest_first("scope"))
    return convention, lasting


def _head_and_note(inner: str) -> tuple[str, str | None]:
    if "。" not in inner:
        return inner, None
    for index in _scan(inner, "。"):
        return inner[:index], inner[index + 1:].strip() or None
    return inner, None


def _labelled(inner: str) -> tuple[list[Group], bool, str | None] | None:
    if LABEL_ANYWHERE.match(inner) is None:  # the head is the start of inner: it must open with a label
        return None
    head, note = _head_and_note(inner)
    labels = list(LABEL_ANYWHERE.finditer(head))
    if not labels or labels[0].start() != 0:
        return None
    groups, open_ended = [], False
    for found, following in zip(labels, [*labels[1:], None]):
        label = found.group("label")
        listed = head[found.end():following.start() if following else len(head)]
        read = _units(listed)
        if read is None:
            return None
        open_ended = open_ended or read[1]
        role = ROLE_LABELS.get(label) or MISPRINTED_ROLE_LABELS[label]
        groups.append(Group(role, label, tuple(read[0])))
    return groups, open_ended, note


def _with_verbs(inner: str) -> tuple[list[Group], bool, str | None] | None:
    head, note = _head_and_note(inner)
    verbs, verb_roles, qualifiers, joiners = _verb_words()
    cuts = [-1, *_positions(head, _PART_SEPARATORS), len(head)]
    parts = [(head[start + 1:end].strip(), start + 1) for start, end in zip(cuts, cuts[1:])]
    groups: list[Group] = []
    pending: list[str] = []  # units printed before the verb they share (A、B，C负责)
    pending_at = 0
    open_ended = False
    rest_at = None
    convention = _convention()
    # A convention word inside a part is inside the head: one search of the head clears most clauses.
    printed_convention = convention.search(head) is not None
    for part, at in parts:
        if printed_convention and convention.search(part):
            rest_at = at
            break
        body, verb = _strip_suffix(part, verbs)
        if verb is None:
            read = _units(part)
            if read is None:
                rest_at = at
                break
            pending_at = pending_at if pending else at
            pending.extend(read[0])
            open_ended = open_ended or read[1]
            continue
        qualifier = True
        while qualifier:
            body, qualifier = _strip_suffix(body.rstrip(), qualifiers)
        joined_to = None
        for joiner, role in joiners.items():
            index = next(iter(_scan(body, joiner[0])), None) if joiner in body else None
            if index is not None and body.startswith(joiner, index):
                body, joined_to = body[:index], (joiner, role, body[index + len(joiner):])
                break
        read = _units(body)
        if read is None:
            rest_at = at
            break
        open_ended = open_ended or read[1]
        # 会同: the units before it lead, whatever the verb.
        role = "lead" if joined_to is not None else verb_roles[verb]
        groups.append(Group(role, verb, tuple(pending + read[0])))
        pending = []
        if joined_to is not None:
            joined = _units(joined_to[2])
            if joined is None:
                return None
            groups.append(Group(joined_to[1], joined_to[0], tuple(joined[0])))
    if not groups:
        return None
    if pending or rest_at is not None:  # words after the last verb are a note, not units
        start = pending_at if pending else rest_at
        tail = head[start:].strip()
        note = f"{tail}。{note}" if note else tail
    return groups, open_ended, note


def read_clause(inner: str) -> tuple[list[Group], bool, str | None] | None:
    """(groups, open-ended, note) when the bracket's text is a clause, else None."""
    inner = inner.strip()
    return _labelled(inner) or _with_verbs(inner)


def _top_level_brackets(text: str):
    depth, start = 0, None
    for found in _ANY_BRACKET.finditer(text):
        index, char = found.start(), found.group()
        if char in _ALL_OPEN:
            if depth == 0 and char in _BRACKETS:
                start = index
            elif depth == 0:
                start = None
            depth += 1
        elif char in _ALL_CLOSE and depth:
            depth -= 1
            if depth == 0 and start is not None and char in _BRACKETS.values():
                yield start, index + 1
                start = None


def _after_sentence_end(text: str, start: int) -> bool:
    at = start - 1
    while at >= 0 and text[at] in _SPACES:
        at -= 1
    return at < 0 or text[at] in _BEFORE_CLAUSE


def _closes_text(text: str, end: int) -> bool:
    # Bounded: only a few characters may follow a closing clause.
    return not text[end:end + 8].strip("。．. \u3000") and len(text) - end <= 8


def find_clauses(text: str) -> list[Clause]:
    """The clauses of one line, in printed order. A clause follows a sentence end or ends the text."""
    clauses: list[Clause] = []
    if "（" not in text and "(" not in text:
        return clauses
    for start, end in _top_level_brackets(text):
        if not (_after_sentence_end(text, start) or _closes_text(text, end)):
            continue
        inner, deadline = split_deadline(text[start + 1:end - 1])
        read = read_clause(inner)
        if read is None:
            continue
        groups, open_ended, note = read
        convention, lasting = _note_reading(note)
        clauses.append(Clause(start, end, text[start:end], tuple(groups), open_ended, note, convention, lasting,
                              deadline))
    return clauses


__all__ = ["Clause", "Group", "find_clauses", "is_collective", "read_clause"]
