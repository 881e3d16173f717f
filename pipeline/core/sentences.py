"""First-sentence and list splitting that respects brackets and quotes."""
from __future__ import annotations

_OPEN = "（(【〔《〈“‘「『["
_CLOSE = "）)】〕》〉”’」』]"
SENTENCE_END = "。！？"
UNIT_SEPARATORS = "、，,；;"
_TRAILING = "。．.，,；;、 \u3000"


def _scan(text: str, stops: str):
    """Yield the indexes of characters in ``stops`` that stand outside any bracket or quote."""
    depth = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and char in stops:
            yield index


def split_first_sentence(text: str) -> tuple[str, str]:
    """``加强领导。各级党委…`` → (``加强领导``, ``各级党委…``); no full stop → (text, "")."""
    for index in _scan(text, SENTENCE_END):
        return text[:index], text[index + 1:].strip()
    return text, ""


def split_units(text: str) -> list[str]:
    """Split a unit list on 、，,；; but never inside brackets (市财政（地税）局).

    A final 。 and a final 等 ("and others") are list punctuation, not part of a name.
    """
    body = text.strip().rstrip(_TRAILING)
    if body.endswith("等"):
        body = body[:-1].rstrip(_TRAILING)
    cuts = [-1, *_scan(body, UNIT_SEPARATORS), len(body)]
    parts = (body[start + 1:end].strip(" \u3000\t") for start, end in zip(cuts, cuts[1:]))
    return [part for part in parts if part]
