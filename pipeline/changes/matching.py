"""Pairing the sections (or tasks) of two releases: by id and content, then by similarity.

Why this is not quadratic in the number of nodes n (total text length t):

1. same id and same content, and 2. identical content under another id, are
   dictionary look-ups: O(n + t).
3. similarity: an unmatched old node is compared only with a bounded set of
   candidates among the unmatched new nodes of its group: the NEIGHBOURS
   nearest by rank on either side, the one with the same id, and the
   SHINGLE_CANDIDATES sharing the most rare shingles (character SHINGLE-grams
   found in at most RARE_SHINGLE new nodes; a common shingle is skipped, so a
   look-up costs at most RARE_SHINGLE). That is O(n) candidate pairs and O(t)
   shingle work. Each pair first gets difflib's cheap upper bounds
   (real_quick_ratio, quick_ratio, from character counts kept per node); pairs whose bound
   is below SIMILARITY are dropped. The survivors are taken best first from a
   heap, and a pair's expensive ``ratio()`` is computed only when its bound
   reaches the top of the heap while both of its nodes are still free, so a
   node matched by a better pair costs its other candidates nothing. Since a
   bound is never below the ratio, the pairs are accepted in exactly the order
   of sorting all computed ratios (the best first, the same id preferred on
   ties, then document order).
4. same id for whatever is left, and 5. the rest: dictionaries again.

Each ratio() is quadratic at worst in the length of its two texts, not in n;
the text diffs of the detail column are computed once per changed field.
benchmarks/linear_cost.py measures it.
"""
from __future__ import annotations

import difflib
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

SIMILARITY = 0.6  # character similarity for "the same node, edited"
NEIGHBOURS = 3  # unmatched new nodes compared on either side of an old node's rank
SHINGLE = 4  # characters per shingle
RARE_SHINGLE = 4  # a shingle in more new nodes than this says nothing about which one is the same
SHINGLE_CANDIDATES = 3  # new nodes sharing the most rare shingles, compared wherever they stand


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

    @cached_property
    def shingles(self) -> frozenset[str]:
        text = self.joined
        return frozenset(text[at:at + SHINGLE] for at in range(max(len(text) - SHINGLE + 1, 1)))

    @cached_property
    def characters(self) -> Counter[str]:
        return Counter(self.joined)


def _bound(old: MatchNode, new: MatchNode) -> float:
    """difflib's upper bounds of ``ratio()`` (real_quick_ratio, then quick_ratio), from counts
    kept per node rather than recounted per pair; 0.0 when already below SIMILARITY."""
    total = len(old.joined) + len(new.joined)
    if not total:
        return 1.0
    if 2.0 * min(len(old.joined), len(new.joined)) / total < SIMILARITY:
        return 0.0
    return 2.0 * sum((old.characters & new.characters).values()) / total


def _candidates(olds: list[MatchNode], news: list[MatchNode]) -> list[tuple[MatchNode, MatchNode]]:
    """The bounded set of (old, new) pairs worth comparing in one group (see the module docstring)."""
    postings: dict[str, list[int]] = defaultdict(list)
    for rank, n in enumerate(news):
        for shingle in n.shingles:
            postings[shingle].append(rank)
    rank_of_id = {n.id: rank for rank, n in enumerate(news)}
    pairs = []
    for rank, o in enumerate(olds):
        chosen = set(range(max(rank - NEIGHBOURS, 0), min(rank + NEIGHBOURS + 1, len(news))))
        if o.id in rank_of_id:
            chosen.add(rank_of_id[o.id])
        votes: Counter[int] = Counter()
        for shingle in o.shingles:
            ranks = postings.get(shingle)
            if ranks and len(ranks) <= RARE_SHINGLE:
                votes.update(ranks)
        best = sorted(votes.items(), key=lambda vote: (-vote[1], abs(vote[0] - rank), vote[0]))
        chosen.update(new_rank for new_rank, _ in best[:SHINGLE_CANDIDATES])
        pairs.extend((o, news[new_rank]) for new_rank in sorted(chosen))
    return pairs


def _similar_pairs(olds: list[MatchNode], news: list[MatchNode], free_old, free_new):
    """Pairs of similar content, best first, each yielded while both its nodes are free."""
    heap = []
    for o, n in _candidates(olds, news):
        bound = _bound(o, n)
        if bound >= SIMILARITY:
            # the key of a bound sorts no later than the key of the ratio it bounds
            heap.append(((-bound, o.id != n.id, o.index, n.index), False, o, n))
    heapq.heapify(heap)
    while heap:
        key, exact, o, n = heapq.heappop(heap)
        if not (free_old(o) and free_new(n)):
            continue
        if exact:
            yield o, n
            continue
        ratio = difflib.SequenceMatcher(None, o.joined, n.joined, autojunk=False).ratio()
        if ratio >= SIMILARITY:
            heapq.heappush(heap, ((-ratio, *key[1:]), True, o, n))


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
    rest_old: dict[str, list[MatchNode]] = defaultdict(list)  # 3. similar content
    rest_new: dict[str, list[MatchNode]] = defaultdict(list)
    for o in old:
        if o.index not in pairs:
            rest_old[o.group].append(o)
    for n in new:
        if n.index not in taken:
            rest_new[n.group].append(n)
    for group, olds in rest_old.items():
        for o, n in _similar_pairs(olds, rest_new.get(group, []),
                                   lambda o: o.index not in pairs, lambda n: n.index not in taken):
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
