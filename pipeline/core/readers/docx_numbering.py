"""Word's automatic list numbering (word/numbering.xml), rendered as Word prints it.

python-docx reads a "List Number" paragraph back without its ``1.``: the number is not in the text but
computed by Word from numbering.xml. This module does that computation:

- a paragraph is numbered by its own ``w:numPr``, else by its paragraph style's (``w:pStyle`` in
  styles.xml, following ``w:basedOn``); ``w:numId`` 0 removes the numbering;
- ``w:num`` points at a ``w:abstractNum`` (its levels: ``w:start``, ``w:numFmt``, ``w:lvlText``,
  ``w:lvlRestart``, ``w:isLgl``, ``w:suff``), and may override a level (``w:lvlOverride``: a whole
  ``w:lvl``, or only ``w:startOverride``); an abstract numbering that is a list style's link
  (``w:numStyleLink``) takes its levels from the style's numbering;
- counters belong to the abstract numbering, so that two ``w:num`` of one list continue each other,
  as in Word; a ``w:num`` with a start override restarts its levels the first time it is used;
- numbering a level restarts the deeper levels (unless their ``w:lvlRestart`` says otherwise);
- ``%1`` … ``%9`` in the level text are the counters of levels 1 … 9, each in its own level's format
  (all decimal under ``w:isLgl``); a level not yet used counts as its start value.

Formats: decimal, chineseCounting (一 … 十, 十一 … 九十九, positional from 100: 一〇〇),
chineseCountingThousand (一 … 十, 十一, 一百零一, 一千), ideographTraditional (甲 … 癸, then decimal),
decimalEnclosedCircle (① … ⑳, then decimal), upper/lower letter and roman, decimalZero, none, bullet;
another format is printed as decimal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIGITS = "〇一二三四五六七八九"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_SUFFIXES = {"tab": "\t", "space": " ", "nothing": ""}


def _val(element, name: str) -> str | None:
    child = element.find(W + name) if element is not None else None
    return child.get(W + "val") if child is not None else None


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def chinese_counting(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("十" if tens == 1 else _DIGITS[tens] + "十") + (_DIGITS[ones] if ones else "")
    return "".join(_DIGITS[int(digit)] for digit in str(n))


def chinese_counting_thousand(n: int) -> str:
    """Grouped counting as Chinese writes it: 十一 (not 一十一) alone, 一百一十 inside a larger number."""
    if n == 0:
        return "零"
    if n >= 10000:
        high, low = divmod(n, 10000)
        text = chinese_counting_thousand(high) + "万"
        if low:
            text += ("零" if low < 1000 else "") + _grouped(low)
        return text
    text = _grouped(n)
    return text[1:] if 10 <= n < 20 else text


def _grouped(n: int) -> str:
    text, pending_zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _DIGITS[digit] + unit
    return text


def _letters(n: int, alphabet: str) -> str:
    # Word repeats the letter past z: 27 → aa, 28 → bb.
    return alphabet[(n - 1) % 26] * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    text = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            text, n = text + numeral, n - value
    return text


def format_number(n: int, fmt: str) -> str:
    if n <= 0 and fmt not in ("decimal", "decimalZero"):
        return str(n)
    if fmt == "chineseCounting":
        return chinese_counting(n)
    if fmt == "chineseCountingThousand":
        return chinese_counting_thousand(n)
    if fmt == "ideographTraditional":
        return _STEMS[n - 1] if n <= 10 else str(n)
    if fmt == "decimalEnclosedCircle":
        return chr(0x2460 + n - 1) if n <= 20 else str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if fmt == "lowerLetter":
        return _letters(n, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "none":
        return ""
    return str(n)


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str | None = None  # lvlText; None: absent (Word prints nothing)
    restart: int | None = None  # lvlRestart: None (after any shallower level), 0 (never), else 1-based level
    legal: bool = False
    suffix: str = "\t"
    style: str | None = None  # the paragraph style linked to this level (w:pStyle)


def _level(lvl) -> Level:
    text_element = lvl.find(W + "lvlText")
    return Level(
        start=_int(_val(lvl, "start"), 1),
        fmt=_val(lvl, "numFmt") or "decimal",
        text=text_element.get(W + "val") if text_element is not None else None,
        restart=_int(_val(lvl, "lvlRestart")),
        legal=lvl.find(W + "isLgl") is not None and _val(lvl, "isLgl") not in ("0", "false"),
        suffix=_SUFFIXES.get(_val(lvl, "suff") or "tab", "\t"),
        style=_val(lvl, "pStyle"),
    )


@dataclass
class _Instance:
    abstract: str
    levels: dict[int, Level]  # the abstract numbering's levels with this instance's overrides
    start_overrides: dict[int, int]


@dataclass
class Styles:
    """styles.xml: each paragraph style's numbering and parent, and the default paragraph style."""
    num_pr: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    based_on: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    @classmethod
    def parse(cls, root) -> "Styles":
        styles = cls()
        if root is None:
            return styles
        for style in root.iter(W + "style"):
            if style.get(W + "type") != "paragraph":
                continue
            style_id = style.get(W + "styleId")
            if style_id is None:
                continue
            if style.get(W + "default") in ("1", "true", "on"):
                styles.default = style_id
            parent = _val(style, "basedOn")
            if parent:
                styles.based_on[style_id] = parent
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                styles.num_pr[style_id] = (_val(num_pr, "numId"), _int(_val(num_pr, "ilvl")))
        return styles

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """(numId, ilvl) a paragraph of this style inherits, following basedOn (a loop stops it)."""
        num_id, ilvl, seen = None, None, set()
        style_id = style_id or self.default
        while style_id is not None and style_id not in seen:
            seen.add(style_id)
            own_id, own_level = self.num_pr.get(style_id, (None, None))
            num_id = num_id if num_id is not None else own_id
            ilvl = ilvl if ilvl is not None else own_level
            if num_id is not None and ilvl is not None:
                break
            style_id = self.based_on.get(style_id)
        return num_id, ilvl


class Numbering:
    """The numbering of one document, with its counters: call ``label`` on each paragraph in order."""

    def __init__(self, numbering_root, styles: Styles):
        self.styles = styles
        abstracts: dict[str, dict[int, Level]] = {}
        links: dict[str, str] = {}  # abstractNumId -> list style it takes its levels from
        style_of_abstract: dict[str, str] = {}  # list style id -> abstractNumId defining it
        raw_nums: dict[str, tuple[str, list]] = {}
        if numbering_root is not None:
            for abstract in numbering_root.iter(W + "abstractNum"):
                abstract_id = abstract.get(W + "abstractNumId")
                abstracts[abstract_id] = {_int(lvl.get(W + "ilvl"), 0): _level(lvl)
                                          for lvl in abstract.findall(W + "lvl")}
                if _val(abstract, "numStyleLink"):
                    links[abstract_id] = _val(abstract, "numStyleLink")
                if _val(abstract, "styleLink"):
                    style_of_abstract[_val(abstract, "styleLink")] = abstract_id
            for num in numbering_root.iter(W + "num"):
                raw_nums[num.get(W + "numId")] = (_val(num, "abstractNumId"), num.findall(W + "lvlOverride"))
        self.instances: dict[str, _Instance] = {}
        for num_id, (abstract_id, overrides) in raw_nums.items():
            # A list style's numbering: the abstract that defines the style (styleLink) has the levels.
            target = links.get(abstract_id)
            if target is not None and target in style_of_abstract:
                abstract_id = style_of_abstract[target]
            levels = dict(abstracts.get(abstract_id, {}))
            starts = {}
            for override in overrides:
                ilvl = _int(override.get(W + "ilvl"), 0)
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
                start = _int(_val(override, "startOverride"))
                if start is not None:
                    starts[ilvl] = start
            self.instances[num_id] = _Instance(abstract_id, levels, starts)
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> level -> last number printed
        self.pending: dict[str, dict[int, int]] = {}  # start overrides not yet printed
        self.started: set[str] = set()

    def label(self, num_id: str | None, ilvl: int | None, style_id: str | None) -> str:
        """The number printed before a paragraph (with its suffix), or "" when it is not numbered."""
        style_num, style_level = self.styles.numbering(style_id)
        if num_id is None:
            num_id = style_num
        if num_id is None or num_id == "0":
            return ""
        instance = self.instances.get(num_id)
        if instance is None:
            return ""
        if ilvl is None:
            ilvl = style_level
        if ilvl is None:  # a level linked to the paragraph's style, else the first
            ilvl = next((index for index, level in instance.levels.items()
                         if style_id is not None and level.style == style_id), 0)
        level = instance.levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(instance.abstract, {})
        pending = self.pending.setdefault(instance.abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for index, start in instance.start_overrides.items():
                counters.pop(index, None)
                pending[index] = start
        if ilvl in pending:
            counters[ilvl] = pending.pop(ilvl)
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        for deeper in [index for index in counters if index > ilvl]:
            restart = instance.levels.get(deeper, Level()).restart
            if restart is None or (restart != 0 and ilvl < restart):
                del counters[deeper]
        if level.text is None:
            return ""
        return self._render(level, instance, counters, ilvl) + (level.suffix if level.text else "")

    def _render(self, level: Level, instance: _Instance, counters: dict, ilvl: int) -> str:
        if level.fmt == "bullet":
            # A symbol-font bullet is a private-use character: print it as the bullet it shows.
            return "".join("•" if 0xE000 <= ord(char) <= 0xF8FF else char for char in level.text or "")
        text, index = level.text or "", 0
        out = []
        while index < len(text):
            char = text[index]
            if char == "%" and index + 1 < len(text) and text[index + 1] in "123456789":
                referenced = int(text[index + 1]) - 1
                ref_level = instance.levels.get(referenced, Level())
                value = counters.get(referenced)
                if value is None:
                    value = instance.start_overrides.get(referenced, ref_level.start)
                fmt = "decimal" if level.legal and ref_level.fmt != "decimalZero" else ref_level.fmt
                out.append(format_number(value, fmt))
                index += 2
                continue
            out.append(char)
            index += 1
        return "".join(out)
