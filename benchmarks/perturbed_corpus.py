"""A corpus of N distinct, valid notices made from the bundled notice and the shared corpus's real ones.

Each base notice gets a pool of variants (seeded, deterministic). A variant applies some of these
perturbations, one after the other:

- ``shuffle``: two top-level numbered chapters' blocks change places; the chapter labels are printed
  again in order (一、二、三…), so the text stays a notice with its numbering in order;
- ``rename``: a unit name from sources/units.csv printed as a whole unit (after ：、，( and before
  、，)；。 or a role verb) is replaced by another registry name of the same jurisdiction that the text
  does not print; ``rename_unknown``: by a name the registry does not know (an ``unresolved_unit``);
- ``brackets``: some lines' full-width brackets become half-width, or the reverse;
- ``colon``: unit lines (牵头单位：…) get an ASCII colon;
- ``separator``: 、 between units becomes ， on unit lines (both are unit separators in the vocabulary);
- ``layout``: a block of unit lines becomes a bracketed clause (（牵头单位：A；协办单位：B）) after the
  sentence it governs.

Every step is checked with the parser (``pipeline.core.notice.parse_notice``): the result must have no
finding of severity error and must read the same as before the step (the same tasks and assignments,
by unit where the step only changes the surface; by count where it moves or renames). A step that
fails is dropped, never published, and counted in ``stats``. Copy number n of a variant gets a
sentence of its own (本件编号n。) so that no two notices are byte-identical; the file names give
each its own doc_id, in subfolders of 100.
"""
from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.marks import CHAPTER, ROLE_LABELS, UNIT_LINE
from pipeline.core.notice import parse_notice
from pipeline.core.registry import UnitRegistry

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sources" / "taizhou-anticorruption-2008-2012.txt"
PERTURBATIONS = ("shuffle", "rename", "rename_unknown", "brackets", "colon", "separator", "layout")
# Steps that change only the surface: the reading must be the same, unit by unit.
_SURFACE = {"brackets", "colon", "separator", "layout"}
_CN = "一二三四五六七八九"
_BEFORE_UNIT = "：:、，,（(；;"
_VERBS = ("牵头", "负责", "配合", "参与", "协办", "协助", "指导", "落实", "会同", "等")
MARKER = "本件编号{n}。"


def cn_numeral(number: int) -> str:
    """1..99 as printed in chapter headings."""
    tens, units = divmod(number, 10)
    if not tens:
        return _CN[units - 1]
    return (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[units - 1] if units else "")


def registry() -> UnitRegistry:
    return UnitRegistry.from_csv((ROOT / "sources" / "units.csv").read_text(encoding="utf-8"),
                                 (ROOT / "sources" / "unit_aliases.csv").read_text(encoding="utf-8"))


def registry_names() -> dict[str, list[str]]:
    """Registry names by jurisdiction, in file order."""
    names: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO((ROOT / "sources" / "units.csv").read_text(encoding="utf-8"))):
        names.setdefault(row["jurisdiction"], []).append(row["name"])
    return names


@dataclass(frozen=True)
class Reading:
    """What the parser read, at the grain each check compares."""
    errors: int
    units: Counter  # (task_id, role, unit_id, else the label as matched)
    roles: Counter  # (task_id, role)
    shape: Counter  # role -> count, plus the task count
    findings: Counter  # kind -> count

    @classmethod
    def of(cls, text: str, units: UnitRegistry) -> Reading:
        rows = parse_notice(text.encode("utf-8"), "variant.txt", units)
        assignments = rows.tables["assignments"]
        return cls(
            errors=len(rows.errors),
            units=Counter((row["task_id"], row["role"], row["unit_id"] or unicodedata.normalize("NFKC", row["unit_label"]))
                          for row in assignments),
            roles=Counter((row["task_id"], row["role"]) for row in assignments),
            shape=Counter([row["role"] for row in assignments] + ["task"] * len(rows.tables["tasks"])),
            findings=Counter(finding.kind for finding in rows.findings),
        )

    def same_as(self, before: Reading, step: str) -> bool:
        if self.errors or not self.shape["task"]:
            return False
        if step in _SURFACE:
            return self.units == before.units and self.findings == before.findings
        if step in ("rename", "rename_unknown"):
            ignored = {"unresolved_unit", "alias_used"}
            return (self.roles == before.roles
                    and Counter({k: v for k, v in self.findings.items() if k not in ignored})
                    == Counter({k: v for k, v in before.findings.items() if k not in ignored}))
        return self.shape == before.shape and self.findings == before.findings  # shuffle: ids move


def _chapter_blocks(lines: list[str]) -> list[int]:
    return [index for index, line in enumerate(lines) if CHAPTER.match(line)]


def shuffle(text: str, rng: random.Random) -> str | None:
    lines = text.split("\n")
    starts = _chapter_blocks(lines)
    # The last chapter runs on into the issuer and date of an 意见: it stays where it is.
    if len(starts) < 3:
        return None
    first, second = sorted(rng.sample(range(len(starts) - 1), 2))
    blocks = [lines[start:end] for start, end in zip(starts, starts[1:] + [len(lines)])]
    blocks[first], blocks[second] = blocks[second], blocks[first]
    body: list[str] = []
    for number, block in enumerate(blocks, start=1):
        heading = CHAPTER.match(block[0])
        body += [cn_numeral(number) + block[0][heading.start("num") + len(heading.group("num")):], *block[1:]]
    return "\n".join(lines[:starts[0]] + body)


def _unit_pattern(name: str) -> re.Pattern:
    before = re.escape(_BEFORE_UNIT)
    return re.compile(rf"(?<=[{before}]){re.escape(name)}(?=[、，,）)；;。]|$|{'|'.join(_VERBS)})", re.M)


def rename(text: str, rng: random.Random, names: dict[str, list[str]], unknown: bool) -> str | None:
    printed = [(jurisdiction, name) for jurisdiction, listed in names.items() for name in listed
               if len(name) >= 3 and _unit_pattern(name).search(text)]
    if not printed:
        return None
    jurisdiction, old = rng.choice(printed)
    if unknown:
        new = f"{'市' if old.startswith('市') else ''}试点事务{rng.randint(1, 99)}局"
    else:
        unused = [name for name in names[jurisdiction] if name not in text and len(name) >= 3]
        if not unused:
            return None
        new = rng.choice(unused)
    return _unit_pattern(old).sub(new, text)


def brackets(text: str, rng: random.Random) -> str | None:
    lines = text.split("\n")
    chosen = [index for index, line in enumerate(lines) if ("（" in line or "(" in line) and rng.random() < 0.3]
    if not chosen:
        return None
    for index in chosen:
        line = lines[index]
        if "（" in line:
            lines[index] = line.replace("（", "(").replace("）", ")")
        else:
            lines[index] = line.replace("(", "（").replace(")", "）")
    return "\n".join(lines)


def _on_unit_lines(text: str, change) -> str | None:
    lines = text.split("\n")
    changed = False
    for index, line in enumerate(lines):
        found = UNIT_LINE.match(line)
        if found:
            head, rest = line[:found.start("rest")], found.group("rest")
            if change == "colon":
                head = head.replace("：", ":")
            else:
                rest = rest.replace("、", "，")
            changed = changed or head + rest != line
            lines[index] = head + rest
    return "\n".join(lines) if changed else None


def layout(text: str, rng: random.Random) -> str | None:
    """Some blocks of unit lines printed as a clause at the end of the sentence before them."""
    lines = text.split("\n")
    out: list[str] = []
    index, changed = 0, False
    while index < len(lines):
        block = []
        while index + len(block) < len(lines) and UNIT_LINE.match(lines[index + len(block)]):
            block.append(lines[index + len(block)])
        # A misprinted label (政协单位) is read on a unit line only: such a block stays as printed.
        known = all(UNIT_LINE.match(line).group("label") in ROLE_LABELS for line in block)
        if block and known and out and out[-1].endswith("。") and rng.random() < 0.5:
            out[-1] += "（" + "；".join(line.strip() for line in block) + "）"
            index += len(block)
            changed = True
        elif block:
            out += block
            index += len(block)
        else:
            out.append(lines[index])
            index += 1
    return "\n".join(out) if changed else None


def mark(text: str, number: int) -> str:
    """A sentence of its own at the end of the first long paragraph after the header (or at the end)."""
    lines = text.split("\n")
    for index, line in enumerate(lines[6:], start=6):
        if len(line) > 60 and line.endswith("。"):
            lines[index] = line + MARKER.format(n=number)
            return "\n".join(lines)
    return text.rstrip("\n") + "\n" + MARKER.format(n=number) + "\n"


def amended(text: str, number: int) -> str:
    """The same notice with its own sentence edited: the rebuild's one changed notice."""
    return text.replace(MARKER.format(n=number), f"本件编号{number}，已修订。", 1)


@dataclass
class Base:
    name: str  # a short ASCII prefix for file names
    text: str
    variants: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (text, steps applied)


@dataclass
class Corpus:
    bases: list[Base]
    stats: dict[str, Counter]  # applied / dropped / not_applicable, by step

    def notice(self, number: int) -> tuple[str, str]:
        """(relative path, text) of notice ``number``: deterministic, distinct bytes and file name."""
        base = self.bases[number % len(self.bases)]
        text, _ = base.variants[(number // len(self.bases)) % len(base.variants)]
        return f"batch-{number // 100:03d}/n{number:05d}-{base.name}.txt", mark(text, number)


def base_texts(shared: Path | None) -> list[tuple[str, str]]:
    texts = [("taizhou", BUNDLED.read_text(encoding="utf-8"))]
    if shared and (shared / "corpus").is_dir():
        texts += [(re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:24],
                   path.read_bytes().decode("utf-8-sig"))
                  for path in sorted((shared / "corpus").glob("*.txt"))]
    return texts


def build_corpus(shared: Path | None, variants: int = 12, seed: int = 11) -> Corpus:
    """Bases and their checked variants. The variants are made once: every N draws from the same pool."""
    units = registry()
    names = registry_names()
    stats = {"applied": Counter(), "dropped": Counter(), "not_applicable": Counter()}
    bases = []
    for name, text in base_texts(shared):
        base_reading = Reading.of(mark(text, 0), units)
        if base_reading.errors:
            stats["dropped"]["base:" + name] += 1
            continue
        base = Base(name, text)
        # Variant 0 is the base as printed.
        base.variants.append((text, ()))
        for number in range(1, variants):
            rng = random.Random(f"{seed}-{name}-{number}")
            current, reading, applied = text, base_reading, []
            for step in PERTURBATIONS:
                if rng.random() < 0.5:
                    continue
                if step == "shuffle":
                    changed = shuffle(current, rng)
                elif step in ("rename", "rename_unknown"):
                    changed = rename(current, rng, names, unknown=step == "rename_unknown")
                elif step == "brackets":
                    changed = brackets(current, rng)
                elif step in ("colon", "separator"):
                    changed = _on_unit_lines(current, step)
                else:
                    changed = layout(current, rng)
                if changed is None or changed == current:
                    stats["not_applicable"][step] += 1
                    continue
                after = Reading.of(mark(changed, 0), units)
                if not after.same_as(reading, step):
                    stats["dropped"][step] += 1
                    continue
                stats["applied"][step] += 1
                current, reading = changed, after
                applied.append(step)
            base.variants.append((current, tuple(applied)))
        bases.append(base)
    return Corpus(bases, stats)


def write_corpus(corpus: Corpus, directory: Path, count: int) -> list[Path]:
    """N notices under ``directory`` with the unit registry beside them; returns the notice paths."""
    directory.mkdir(parents=True)
    for name in ("units.csv", "unit_aliases.csv"):
        (directory / name).write_bytes((ROOT / "sources" / name).read_bytes())
    paths = []
    for number in range(count):
        relative, text = corpus.notice(number)
        path = directory / relative
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths
