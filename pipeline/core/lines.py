"""Physical lines, numbered as an editor numbers them, whatever the line ends."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Not str.splitlines(): it also breaks on U+2028, \x1c and friends, which would
# shift line numbers away from what the publisher sees in an editor.
_LINE_END = re.compile(r"\r\n|\r|\n")
# Indents seen in Word and web exports: ideographic space, NBSP, tabs, BOM remnants.
EDGE_SPACE = " \t\u3000\u00a0\ufeff\u200b\f\v"
_EDGE_SPACE = EDGE_SPACE  # former private name


@dataclass(frozen=True)
class Line:
    number: int  # 1-based physical line number
    text: str  # stripped of indent and trailing spaces, otherwise as printed


def split_lines(text: str) -> list[Line]:
    parts = _LINE_END.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return [Line(number, raw.strip(EDGE_SPACE)) for number, raw in enumerate(parts, start=1)]


def line_number_at(text: str, index: int) -> int:
    return len(_LINE_END.findall(text, 0, index)) + 1
