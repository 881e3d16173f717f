"""The queries of the README's code blocks: `plandata sql` calls in ```sh blocks and ```sql blocks."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def sql_blocks() -> list[str]:
    return [block.strip() for block in _blocks("sql")]


def plandata_sql_calls() -> list[list[str]]:
    """The arguments after `plandata sql` of every such line of the ```sh blocks (comments dropped)."""
    calls = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            for start in range(len(words) - 1):
                if words[start].endswith("plandata") and words[start + 1] == "sql":
                    calls.append(words[start + 2:])
    return calls
