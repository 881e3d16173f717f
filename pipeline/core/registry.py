"""The curated unit registry: resolves a printed label to a unit as of a document's issue date."""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

from pipeline.errors import PlanDataError


def match_key(label: str) -> str:
    """Normalise for matching only (full/half width, spaces); outputs keep the printed label."""
    return "".join(unicodedata.normalize("NFKC", label).split())


@dataclass(frozen=True)
class Resolution:
    unit_id: str | None
    via_alias: str | None = None  # the alias row's basis, when an alias was used


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


class UnitRegistry:
    def __init__(self, units: list[dict], aliases: list[dict]):
        self.units = units
        self.aliases = aliases
        self._by_name: dict[str, list[dict]] = {}
        for unit in units:
            self._by_name.setdefault(match_key(unit["name"]), []).append(unit)
        self._by_alias: dict[str, list[dict]] = {}
        for alias in aliases:
            self._by_alias.setdefault(match_key(alias["alias"]), []).append(alias)

    @classmethod
    def from_csv(cls, units_text: str, aliases_text: str, units_file: str = "units.csv",
                 aliases_file: str = "unit_aliases.csv") -> "UnitRegistry":
        units = _read_csv(units_text, units_file, ("valid_from", "valid_to"))
        aliases = _read_csv(aliases_text, aliases_file, ("valid_from", "valid_to"))
        ids = {unit["unit_id"] for unit in units}
        for number, alias in enumerate(aliases, start=2):
            if alias["unit_id"] not in ids:
                raise PlanDataError(f"alias {alias['alias']} names unknown unit_id {alias['unit_id']}",
                                    file=aliases_file, line=number)
        return cls(units, aliases)

    def resolve(self, label: str, on: dt.date | None) -> Resolution:
        key = match_key(label)
        names = self._by_name.get(key, [])
        for unit in names:
            if _in_period(on, unit["valid_from"], unit["valid_to"]):
                return Resolution(unit["unit_id"])
        for alias in self._by_alias.get(key, []):
            if _in_period(on, alias["valid_from"], alias["valid_to"]):
                return Resolution(alias["unit_id"], alias["basis"])
        # A name printed outside its period still means that body (an amended
        # text may keep an old name); the label is kept as printed.
        return Resolution(names[0]["unit_id"]) if names else Resolution(None)


def _read_csv(text: str, file: str, date_fields: tuple[str, ...]) -> list[dict]:
    rows = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        if None in row or any(value is None for value in row.values()):
            raise PlanDataError("wrong number of fields", file=file, line=number)
        cleaned = {key: value.strip() for key, value in row.items()}
        for name in date_fields:
            cleaned[name] = _date(cleaned.get(name, ""), file, number)
        rows.append({key: (value if value != "" else None) for key, value in cleaned.items()})
    return rows
