"""Physical lines, numbered as an editor numbers them, whatever the line ends."""
from __future__ import annotations

import functools
import re
from typing import NamedTuple

# Not str.splitlines(): it also breaks on U+2028, \x1c and friends, which would
# shift line numbers away from what the publisher sees in an editor.
_LINE_END = re.compile(r"\r\n|\r|\n")
# Indents seen in Word and web exports: ideographic space, NBSP, tabs, BOM remnants.
EDGE_SPACE = " \t\u3000\u00a0\ufeff\u200b\f\v"
_EDGE_SPACE = EDGE_SPACE  # former private name
_RUN_ON_STOPS = "。！？；"


class Line(NamedTuple):
    number: int  # 1-based physical line number
    text: str  # stripped of indent and trailing spaces, otherwise as printed
    run_on: bool = False  # a piece of a longer physical line (see split_run_on)


def _physical_lines(text: str) -> list[str]:
    # str.split is several times faster than the regex, and the same when no line ends in \r.
    return text.split("\n") if "\r" not in text else _LINE_END.split(text)


def split_lines(text: str) -> list[Line]:
    parts = _physical_lines(text)
    if parts and parts[-1] == "":
        parts.pop()
    # A form feed is a page break of a Word export, wherever it falls: never part of the text.
    if "\f" in text:
        return [Line(number, raw.replace("\f", "").strip(EDGE_SPACE)) for number, raw in enumerate(parts, start=1)]
    return [Line(number, raw.strip(EDGE_SPACE)) for number, raw in enumerate(parts, start=1)]


def count_lines(text: str) -> int:
    """``len(split_lines(text))``, without building the lines."""
    count = (text.count("\n") if "\r" not in text else len(_LINE_END.findall(text))) + 1
    return count - 1 if not text or text[-1] in "\r\n" else count


def lines_containing(text: str, needle: str):
    """The lines of ``split_lines(text)`` whose text contains ``needle``, without building the others."""
    for number, raw in enumerate(_physical_lines(text), start=1):
        if needle in raw:
            line = Line(number, raw.replace("\f", "").strip(EDGE_SPACE))
            if needle in line.text:
                yield line


def line_number_at(text: str, index: int) -> int:
    return len(_LINE_END.findall(text, 0, index)) + 1


@functools.cache
def _cut_candidate() -> re.Pattern:
    """A sentence end followed by a numbering mark or a role label: where split_run_on may cut."""
    from pipeline.core.marks import ANY_MARK_SOURCE, LABEL_ANYWHERE_SOURCE
    return re.compile(f"[{_RUN_ON_STOPS}](?:{ANY_MARK_SOURCE}|{LABEL_ANYWHERE_SOURCE})")


def split_run_on(lines: list[Line]) -> list[Line]:
    """Logical lines for text whose line breaks were lost: a numbering mark right after a sentence end
    (``。2.对…``) starts a new line, and so does a role label (``。责任单位：A、B。``), whose list ends at
    its 。. ``3.5万元``, ``2018.12`` and ``第1条`` stay text. Pieces keep their physical line number."""
    from pipeline.core.marks import LABEL_ANYWHERE, match_heading
    from pipeline.core.sentences import _positions

    result = []
    for line in lines:
        text, cuts = line.text, []
        inner = text[:-1]
        if not ("。" in inner or "；" in inner or "！" in inner or "？" in inner):
            result.append(line)  # the common case, checked without a per-character scan
            continue
        labelled = LABEL_ANYWHERE.match(text) is not None
        if not labelled and _cut_candidate().search(text) is None:
            result.append(line)  # no sentence end is followed by a mark or a label: nothing to cut
            continue
        for index in _positions(text, _RUN_ON_STOPS):
            at = index + 1
            if at >= len(text):
                break
            # A unit list may be separated by ；, so only its sentence end closes a labelled piece.
            if (labelled and text[index] != "；") or match_heading(text, at) or LABEL_ANYWHERE.match(text, at):
                cuts.append(at)
            labelled = LABEL_ANYWHERE.match(text, at) is not None
        if not cuts:
            result.append(line)
            continue
        for start, end in zip([0, *cuts], [*cuts, len(text)]):
            piece = text[start:end].strip(EDGE_SPACE)
            if piece:
                result.append(Line(line.number, piece, run_on=True))
    return result
