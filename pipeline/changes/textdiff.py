"""Short, readable character diffs for the change log's detail column."""
from __future__ import annotations

import difflib

DIFF_LIMIT = 200  # characters of one field's text diff
FRAGMENT_LIMIT = 80  # characters of one quoted fragment in a diff
MERGE_GAP = 3  # unchanged runs shorter than this between two edits are folded into one edit
SHORT_VALUE = 40  # header values up to this length are shown whole: a → b
EMPTY = "(empty)"


def _clip(fragment: str) -> str:
    fragment = fragment.replace("\r\n", "\n").replace("\n", "↵").replace("\t", " ")
    return fragment if len(fragment) <= FRAGMENT_LIMIT else fragment[:FRAGMENT_LIMIT] + "…"


def text_diff(old: str, new: str, limit: int = DIFF_LIMIT) -> str:
    """A short character diff: ``-「科学」 +「正确」``; insertions ``+「…」``, deletions ``-「…」``.

    Unchanged runs shorter than MERGE_GAP characters between two edits are folded
    into one edit, so a rewritten phrase reads as one replacement rather than
    confetti of single characters. The result is cut to ``limit`` characters.
    """
    # The common head and tail are cut off first: an amendment edits a few words of a long text.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_middle, new_middle = old[head:len(old) - tail], new[head:len(new) - tail]
    # Character matching without the junk heuristic is best for Chinese, but slow on long rewrites.
    junk = min(len(old_middle), len(new_middle)) > 1000
    matcher = difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=junk)
    regions: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if regions and i1 - regions[-1][1] < MERGE_GAP:
            regions[-1][1], regions[-1][3] = i2, j2
        else:
            regions.append([i1, i2, j1, j2])
    parts = []
    for i1, i2, j1, j2 in regions:
        removed, added = old[i1:i2], new[j1:j2]
        piece = ([f"-「{_clip(removed)}」"] if removed else []) + ([f"+「{_clip(added)}」"] if added else [])
        parts.append(" ".join(piece))
    result = " ".join(parts)
    return result if len(result) <= limit else result[:limit - 1] + "…"


def value_change(name: str, old: str, new: str) -> str:
    if len(old) <= SHORT_VALUE and len(new) <= SHORT_VALUE and "\n" not in old + new:
        return f"{name}: {old or EMPTY} → {new or EMPTY}"
    return f"{name}: {text_diff(old, new)}"
