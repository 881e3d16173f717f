"""First-sentence and list splitting that respects brackets and quotes."""
from __future__ import annotations

import functools
import re

from pipeline.core import vocabulary

_OPEN = "（(【〔《〈“‘「『["
_CLOSE = "）)】〕》〉”’」』]"
SENTENCE_END = "。！？"
UNIT_SEPARATORS = "、，,；;"
_TRAILING = "。．.，,；;、 \u3000"


@functools.cache
def _marks(stops: str) -> re.Pattern:
    """Brackets, quotes and ``stops``: the only characters a scan needs to look at."""
    return re.compile(f"[{re.escape(_OPEN + _CLOSE + stops)}]")


def _scan(text: str, stops: str):
    """Yield the indexes of characters in ``stops`` that stand outside any bracket or quote."""
    depth = 0
    # The regex skips the plain text between marks, so the loop runs once per mark, not per character.
    for found in _marks(stops).finditer(text):
        char = found.group()
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            if depth:
                depth -= 1
        elif not depth:
            yield found.start()


_ANY_BRACKET = re.compile(f"[{re.escape(_OPEN + _CLOSE)}]")


@functools.cache
def _stops(stops: str) -> re.Pattern:
    return re.compile(f"[{re.escape(stops)}]")


def _positions(text: str, stops: str) -> list[int]:
    """``list(_scan(text, stops))``; a text without brackets or quotes needs no depth count."""
    if _ANY_BRACKET.search(text) is None:
        return [found.start() for found in _stops(stops).finditer(text)]
    return list(_scan(text, stops))


def split_first_sentence(text: str) -> tuple[str, str]:
    """``加强领导。各级党委…`` → (``加强领导``, ``各级党委…``); no full stop → (text, "")."""
    for index in _scan(text, SENTENCE_END):
        return text[:index], text[index + 1:].strip()
    return text, ""


def split_units(text: str) -> list[str]:
    """Split a unit list on 、，,；; but never inside brackets (市财政（地税）局).

    A final 。 and a final 等 ("and others") are list punctuation, not part of a name.
    """
    return split_unit_list(text)[0]


@functools.cache
def _collective_anywhere() -> re.Pattern:
    """Any collective word of the vocabulary, wherever it is printed."""
    words = vocabulary.longest_first("collective")
    return re.compile("|".join(map(re.escape, words)) if words else "(?!)")


def is_collective(unit: str) -> bool:
    return unit.startswith(vocabulary.longest_first("collective"))


def _ends_with_organ(unit: str) -> bool:
    return unit.endswith(vocabulary.longest_first("organ"))


def split_unit_list(text: str) -> tuple[list[str], bool]:
    """(units, open-ended) for a unit list as printed.

    ``A、B等`` names A and B and is open-ended; ``A、B等有关部门`` and ``A等和各有关省级人民政府``
    name a collective after 等 as a unit of its own. A final 等 after the collective is list
    punctuation too: ``市公安局等有关部门和单位等`` names 市公安局 and 有关部门和单位, open-ended.
    A collective beginning with 各/有关 spans the 、-joined administrative levels up to its organ
    word (各省、自治区、直辖市人民政府 is one unit).
    """
    body = text.strip().rstrip(_TRAILING)
    named, collective, open_ended = body, "", False
    units: list[str]
    for index in _scan(body, "等") if "等" in body else ():
        after = body[index + 1:]
        joined = after[1:] if after.startswith("和") else after
        if not after.strip(_TRAILING) or (is_collective(joined) and after != joined) or is_collective(after):
            named, collective, open_ended = body[:index].rstrip(_TRAILING), without_final_etc(joined), True
            break
    if _ANY_BRACKET.search(named) is None and _collective_anywhere().search(named) is None:
        # No bracket to skip and no part that can open a collective: every separator cuts, nothing spans.
        units = [part for piece in _stops(UNIT_SEPARATORS).split(named) if (part := piece.strip(" \u3000\t"))]
        return units + _after_etc(collective), open_ended
    cuts = [-1, *_positions(named, UNIT_SEPARATORS), len(named)]
    units = []
    spanning = False  # the last unit is a collective still waiting for its organ word
    for start, end in zip(cuts, cuts[1:]):
        part = named[start + 1:end].strip(" \u3000\t")
        if not part:
            continue
        if spanning and named[start] == "、" and not is_collective(part):
            units[-1] = units[-1] + "、" + part
        else:
            units.append(part)
        spanning = is_collective(units[-1]) and not _ends_with_organ(units[-1])
    return units + _after_etc(collective), open_ended


def without_final_etc(text: str) -> str:
    """The text without its closing punctuation and one final 等 (``有关部门等。`` → ``有关部门``)."""
    body = text.strip().rstrip(_TRAILING)
    return body[:-1].rstrip(_TRAILING) if body.endswith("等") else body


def _after_etc(collective: str) -> list[str]:
    """The units printed after 等: the collective, and any unit listed after it (等相关部门，各街镇)."""
    if not collective:
        return []
    if _positions(collective, UNIT_SEPARATORS):
        return split_unit_list(collective)[0]
    return [collective]
