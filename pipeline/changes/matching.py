"""Pairing the sections (or tasks) of two releases: by id and content, then by similarity."""
from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

SIMILARITY = 0.6  # character similarity for "the same node, edited"
WINDOW = 40  # unmatched nodes are compared for similarity only with those of about the same rank


@dataclass
class MatchNode:
    index: int  # position in its release's document order
    id: str
    group: str  # only nodes of one group are paired by similarity (the level of a section)
    content: tuple[str, ...]
    row: dict

    @cached_property
    def joined(self) -> str:
        return "\n".join(self.content)


def _similarity(old: MatchNode, new: MatchNode) -> float:
    matcher = difflib.SequenceMatcher(None, old.joined, new.joined, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY or matcher.quick_ratio() < SIMILARITY:
        return 0.0
    return matcher.ratio()


def match_nodes(old: list[MatchNode], new: list[MatchNode]) -> dict[int, int]:
    """old index -> new index, by content first and by id last (see the module docstring)."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()

    def pair(o: MatchNode, n: MatchNode) -> None:
        pairs[o.index] = n.index
        taken.add(n.index)

    new_by_id = {n.id: n for n in new}
    for o in old:  # 1. unchanged
        n = new_by_id.get(o.id)
        if n is not None and n.index not in taken and (n.group, n.content) == (o.group, o.content):
            pair(o, n)
    by_content: dict[tuple, list[MatchNode]] = defaultdict(list)
    for n in new:  # 2. identical content, another id
        if n.index not in taken:
            by_content[(n.group, n.content)].append(n)
    for o in old:
        waiting = by_content.get((o.group, o.content))
        if o.index not in pairs and waiting:
            pair(o, waiting.pop(0))
    candidates = []  # 3. similar content, within a window of the same rank among what is left
    rest_old: dict[str, list[MatchNode]] = defaultdict(list)
    rest_new: dict[str, list[MatchNode]] = defaultdict(list)
    for o in old:
        if o.index not in pairs:
            rest_old[o.group].append(o)
    for n in new:
        if n.index not in taken:
            rest_new[n.group].append(n)
    for group, olds in rest_old.items():
        news = rest_new.get(group, [])
        for rank, o in enumerate(olds):
            for n in news[max(rank - WINDOW, 0):rank + WINDOW + 1]:
                ratio = _similarity(o, n)
                if ratio >= SIMILARITY:
                    candidates.append((-ratio, o.id != n.id, o.index, n.index, o, n))
    for *_, o, n in sorted(candidates, key=lambda c: c[:4]):
        if o.index not in pairs and n.index not in taken:
            pair(o, n)
    for o in old:  # 4. same id, rewritten in place
        n = new_by_id.get(o.id)
        if o.index not in pairs and n is not None and n.index not in taken and n.group == o.group:
            pair(o, n)
    return pairs


def position_keys(old: list[MatchNode], new: list[MatchNode], pairs: dict[int, int]) -> tuple[dict, dict]:
    """Sort keys in the new release's order; a removed node sorts just after the new position
    of the node that preceded it in the old release."""
    new_keys = {n.index: (n.index, 0, 0) for n in new}
    old_keys = {}
    anchor = -1
    for o in old:
        if o.index in pairs:
            anchor = pairs[o.index]
            old_keys[o.index] = new_keys[anchor]
        else:
            old_keys[o.index] = (anchor, 1, o.index)
    return old_keys, new_keys
