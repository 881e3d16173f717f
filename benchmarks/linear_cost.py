"""How the citations lookup and the change log's matching grow with the size of a notice.

    .venv/bin/python benchmarks/linear_cost.py [--citations 1000,2000,...] [--sections 10,20,...]

Citations: a notice of N items, each item one line citing a 《…》 title and governed by its own
牵头单位 block (N nodes, N tasks, N citation lines); only ``parse_citations`` is timed.
Change log: a notice of N sections, each about 1,500 characters of the bundled notice's own prose, and
an amended copy in which every section has three words edited (near its start, middle and end);
``compute_changes`` between the two parsed notices is timed. Linear growth shows as a steady seconds/N.
Not a test: the figures depend on the machine.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from pipeline.changes import compute_changes
from pipeline.core.citations import parse_citations
from pipeline.core.marks import _CN_DIGITS
from pipeline.core.notice import parse_notice
from pipeline.core.outline import parse_outline
from pipeline.core.registry import UnitRegistry

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "sources" / "taizhou-anticorruption-2008-2012.txt"
HEADER = ["台州市某某工作实施细则", "关于印发《台州市某某工作实施细则》的通知", "各县（市、区）委：",
          "现将细则印发给你们，请认真贯彻执行。", "中共台州市委", "2008年8月1日"]
SECTION_CHARS = 1500
EDITS = (("加强", "强化"), ("制度", "机制"), ("监督", "监管"))


def cn(number: int) -> str:
    """1..99 as printed in headings: 一, 十, 十二, 二十三."""
    digits = {value: char for char, value in _CN_DIGITS.items() if char not in "〇零两"}
    tens, units = divmod(number, 10)
    if not tens:
        return digits[units]
    return (digits[tens] if tens > 1 else "") + "十" + (digits[units] if units else "")


def citations_notice(items: int) -> str:
    lines = list(HEADER)
    per_section, per_chapter = 10, 99
    for index in range(items):
        section, item = divmod(index, per_section)
        chapter, section_in_chapter = divmod(section, per_chapter)
        if item == 0 and section_in_chapter == 0:
            lines.append(f"{cn(chapter + 1)}、第{chapter + 1}章")
        if item == 0:
            lines.append(f"（{cn(section_in_chapter + 1)}）第{section + 1}节")
        lines.append(f"{item + 1}.认真贯彻市委《关于第{index}项工作的意见》，制定《第{index}项办法》。")
        lines.append("牵头单位：市纪委")
    return "\n".join(lines) + "\n"


def prose(rng: random.Random, chars: int) -> str:
    """Sentences of the bundled notice, shuffled, about ``chars`` characters, each edit word present."""
    text = SOURCE.read_text(encoding="utf-8")
    sentences = [s + "。" for line in text.split("\n") if len(line) > 20 for s in line.split("。") if len(s) > 8]
    out = ""
    while len(out) < chars:
        out += rng.choice(sentences)
    return "".join(old for old, _ in EDITS) + out + "".join(old for old, _ in EDITS)


def edited(body: str) -> str:
    """Three light edits: the first word near the start, the second near the middle, the third at the end."""
    first = body.replace(EDITS[0][0], EDITS[0][1], 1)
    middle = len(first) // 2
    at = first.find(EDITS[1][0], middle)
    second = first if at < 0 else first[:at] + EDITS[1][1] + first[at + len(EDITS[1][0]):]
    at = second.rfind(EDITS[2][0])
    return second[:at] + EDITS[2][1] + second[at + len(EDITS[2][0]):]


def sections_notices(count: int) -> tuple[str, str]:
    rng = random.Random(count)
    old, new = list(HEADER), list(HEADER)
    per_chapter = 10
    for index in range(count):
        chapter, section = divmod(index, per_chapter)
        if section == 0:
            old.append(f"{cn(chapter + 1)}、第{chapter + 1}章")
            new.append(old[-1])
        old.append(f"（{cn(section + 1)}）第{index + 1}节工作")
        new.append(old[-1])
        body = prose(rng, SECTION_CHARS)
        old.append(body)
        new.append(edited(body))
        old.append("牵头单位：市纪委")
        new.append(old[-1])
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


def registry() -> UnitRegistry:
    return UnitRegistry.from_csv((ROOT / "sources" / "units.csv").read_text(encoding="utf-8"),
                                 (ROOT / "sources" / "unit_aliases.csv").read_text(encoding="utf-8"))


def time_citations(items: int) -> float:
    text = citations_notice(items)
    outline = parse_outline(text, "bench.txt")
    assert len(outline.nodes) >= items and len(outline.tasks) == items
    started = time.perf_counter()
    found = parse_citations(text, outline)
    elapsed = time.perf_counter() - started
    assert len(found) == 2 * items + 1
    return elapsed


def time_changes(count: int, units: UnitRegistry) -> float:
    old_text, new_text = sections_notices(count)
    old = parse_notice(old_text.encode("utf-8"), "bench.txt", units).tables
    new = parse_notice(new_text.encode("utf-8"), "bench.txt", units).tables
    assert len(old["tasks"]) == count
    started = time.perf_counter()
    rows = compute_changes(old, new)
    elapsed = time.perf_counter() - started
    text_changed = [row for row in rows if row["change"] == "text_changed"]
    assert len(text_changed) == 2 * count, "every section and task is matched with its edited self"
    return elapsed


def table(title: str, unit: str, sizes_: list[int], measure) -> None:
    """Measure and print one row per size as it is done (the large sizes take a while)."""
    print(title)
    print(f"{unit:>8}  {'seconds':>9}  {'ms per ' + unit:>14}", flush=True)
    for n in sizes_:
        seconds = measure(n)
        print(f"{n:>8}  {seconds:>9.3f}  {1000 * seconds / n:>14.4f}", flush=True)
    print()


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citations", default="1000,2000,4000,8000,16000,32000")
    parser.add_argument("--sections", default="10,20,40,80")
    args = parser.parse_args()
    table("citations: parse_citations over N items", "items", sizes(args.citations), time_citations)
    units = registry()
    table(f"change log: compute_changes over N sections of ~{SECTION_CHARS} characters, each lightly edited",
          "sections", sizes(args.sections), lambda n: time_changes(n, units))


if __name__ == "__main__":
    main()
