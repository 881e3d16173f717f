"""The curated unit registry: resolves a printed label to a unit as of a document's issue date."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.errors import PlanDataError
from pipeline.schema import load_spec


def match_key(label: str) -> str:
    """Normalise for matching only (full/half width, spaces); outputs keep the printed label."""
    return "".join(unicodedata.normalize("NFKC", label).split())


class Resolution(NamedTuple):
    unit_id: str | None
    via_alias: str | None = None  # the alias row's basis, when an alias was used


@dataclass(frozen=True)
class _Row:
    """A registry row and where it was read: for messages that name the file and line."""
    values: dict
    file: str
    line: int

    def __getitem__(self, key: str):
        return self.values[key]


def _date(value: str, file: str, line: int) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlanDataError(f"not an ISO date: {value!r}", file=file, line=line) from None


def _in_period(date: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if date is None:
        return True
    return (start is None or start <= date) and (end is None or date <= end)


NATIONAL = "national"
# Joint issuers are printed side by side: 中共台州市委 台州市人民政府.
_ISSUER_SEPARATORS = re.compile(r"[\s、，,]+")


class UnitRegistry:
    """Units by jurisdiction. A label resolves within one jurisdiction plus the national units,
    so that one city's 市财政局 never becomes another's."""

    def __init__(self, units: list[dict], aliases: list[dict]):
        self.units = units
        self.aliases = aliases
        jurisdictions = {unit["unit_id"]: unit["jurisdiction"] for unit in units}
        self._by_name: dict[str, list[dict]] = {}
        for unit in units:
            self._by_name.setdefault(match_key(unit["name"]), []).append(unit)
        self._by_alias: dict[str, list[tuple[dict, str]]] = {}
        for alias in aliases:
            self._by_alias.setdefault(match_key(alias["alias"]), []).append((alias, jurisdictions[alias["unit_id"]]))

    @classmethod
    def from_csv(cls, units_text: str | None, aliases_text: str | None, units_file: str = "units.csv",
                 aliases_file: str = "unit_aliases.csv") -> "UnitRegistry":
        """Read and check both files; any fault is one PlanDataError naming the file and line.
        A file that is absent (None) has no rows."""
        units = _read_csv(units_text, units_file, "units")
        aliases = _read_csv(aliases_text, aliases_file, "unit_aliases")
        lines = _unique_ids(units)
        jurisdictions = {unit["unit_id"]: unit["jurisdiction"] for unit in units}
        for unit in units:
            if unit["parent_id"] is not None and unit["parent_id"] not in lines:
                raise PlanDataError(f"parent_id {unit['parent_id']} is no unit_id of this file",
                                    file=unit.file, line=unit.line)
        for alias in aliases:
            if alias["unit_id"] not in lines:
                raise PlanDataError(f"alias {alias['alias']} names unknown unit_id {alias['unit_id']}",
                                    file=alias.file, line=alias.line)
        _no_overlap(units, lambda unit: (unit["jurisdiction"], match_key(unit["name"])),
                    lambda unit, other: f"unit name {unit['name']} is also {other['unit_id']}'s (line {other.line}) "
                                        f"in jurisdiction {unit['jurisdiction']}")
        _no_overlap(aliases, lambda alias: (jurisdictions[alias["unit_id"]], match_key(alias["alias"])),
                    lambda alias, other: f"alias {alias['alias']} maps to {alias['unit_id']} and, on line "
                                         f"{other.line}, to {other['unit_id']}" if alias["unit_id"] != other["unit_id"]
                    else f"alias {alias['alias']} repeats line {other.line}")
        return cls([unit.values for unit in units], [alias.values for alias in aliases])

    def resolve(self, label: str, on: dt.date | None, jurisdiction: str | None = None) -> Resolution:
        """The unit a printed label means on a date. With a jurisdiction, only its units and the
        national ones count (its own first); without one, every unit counts."""
        key = match_key(label)
        for scope in _scopes(jurisdiction):
            names = [unit for unit in self._by_name.get(key, []) if scope is None or unit["jurisdiction"] == scope]
            for unit in names:
                if _in_period(on, unit["valid_from"], unit["valid_to"]):
                    return Resolution(unit["unit_id"])
            for alias, alias_scope in self._by_alias.get(key, []):
                if (scope is None or alias_scope == scope) and _in_period(on, alias["valid_from"], alias["valid_to"]):
                    return Resolution(alias["unit_id"], alias["basis"])
            # A name printed outside its period still means that body (an amended
            # text may keep an old name); the label is kept as printed.
            if names:
                return Resolution(names[0]["unit_id"])
        return Resolution(None)

    def jurisdiction_of(self, issuer: str | None) -> str | None:
        """The jurisdiction of the body that issued a notice, read from the registry: the issuer is
        a unit (中共台州市委 is an alias of 市委, taizhou; 国务院 is national). Joint issuers must
        agree. None when the issuer is absent, unknown or ambiguous."""
        found: set[str] = set()
        for part in _ISSUER_SEPARATORS.split(issuer or ""):
            if not part:
                continue
            key = match_key(part)
            candidates = {unit["jurisdiction"] for unit in self._by_name.get(key, [])}
            candidates |= {scope for _, scope in self._by_alias.get(key, [])}
            if len(candidates) != 1:
                return None
            found |= candidates
        return found.pop() if len(found) == 1 else None


def _scopes(jurisdiction: str | None) -> list[str | None]:
    if jurisdiction is None:
        return [None]
    return [jurisdiction] if jurisdiction == NATIONAL else [jurisdiction, NATIONAL]


def _read_csv(text: str | None, file: str, table: str) -> list[_Row]:
    """Rows of a registry file, checked against its schema (schemas/<table>.schema.json)."""
    if text is None:
        return []
    fields = {field["name"]: field for field in load_spec(table).fields}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames
    if not header:
        raise PlanDataError("has no header line", file=file, line=1)
    header = [name.strip() for name in header]
    reader.fieldnames = header
    missing = [name for name in fields if name not in header]
    unknown = [name for name in header if name not in fields]
    if missing or unknown:
        problems = ([f"lacks column(s) {', '.join(missing)}"] if missing else []) + \
                   ([f"has unknown column(s) {', '.join(unknown)}"] if unknown else [])
        raise PlanDataError(f"header {' and '.join(problems)}; expected {','.join(fields)}", file=file, line=1)
    rows = []
    start = 2
    for row in reader:
        line = start
        start = reader.line_num + 1
        if None in row or any(value is None for value in row.values()):
            raise PlanDataError(f"wrong number of fields (expected {len(header)})", file=file, line=line)
        values: dict = {}
        for name, field in fields.items():
            value = row[name].strip()
            values[name] = _checked(value, field, file, line) if value else None
            if values[name] is None and field.get("constraints", {}).get("required"):
                raise PlanDataError(f"{name} is empty", file=file, line=line)
        if values.get("valid_from") and values.get("valid_to") and values["valid_from"] > values["valid_to"]:
            raise PlanDataError(f"valid_from {values['valid_from']} is later than valid_to {values['valid_to']}",
                                file=file, line=line)
        rows.append(_Row(values, file, line))
    return rows


def _checked(value: str, field: dict, file: str, line: int):
    if field["type"] == "date":
        return _date(value, file, line)
    constraints = field.get("constraints", {})
    if "enum" in constraints and value not in constraints["enum"]:
        raise PlanDataError(f"{field['name']} {value!r} is not one of {', '.join(constraints['enum'])}",
                            file=file, line=line)
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
        raise PlanDataError(f"{field['name']} {value!r} does not match {constraints['pattern']}",
                            file=file, line=line)
    return value


def _unique_ids(units: list[_Row]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for unit in units:
        if unit["unit_id"] in lines:
            raise PlanDataError(f"unit_id {unit['unit_id']} repeats line {lines[unit['unit_id']]}",
                                file=unit.file, line=unit.line)
        lines[unit["unit_id"]] = unit.line
    return lines


def _no_overlap(rows: list[_Row], key, message) -> None:
    """Rows with the same key must have disjoint validity periods, or a label would resolve
    to whichever row comes first. Sorted by start, any overlap shows between neighbours."""
    groups: dict[tuple, list[_Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    for group in groups.values():
        group.sort(key=lambda r: (r["valid_from"] or dt.date.min, r.line))
        for before, row in zip(group, group[1:]):
            end = before["valid_to"]
            if end is None or (row["valid_from"] or dt.date.min) <= end:
                first, second = sorted((before, row), key=lambda r: r.line)
                raise PlanDataError(f"{message(second, first)}, and their validity periods overlap; "
                                    f"give them disjoint valid_from/valid_to", file=second.file, line=second.line)
