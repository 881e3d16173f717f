"""What the notices decide about a release's identity: counts, issuers, years and periods, keywords.

Nothing here is typed by hand: the deployment settings give the publisher's words (title,
description, subject keywords), and this completes them from the tables, so that a release of
seven notices never reads as the description of one.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from pipeline.render.arrow_rows import row_dicts

ISSUERS_SHOWN = 5


@dataclass(frozen=True)
class Contents:
    notices: int
    tasks: int
    assignments: int
    units: int
    issuers: tuple[str, ...]  # most notices first, then by name
    issued: tuple[str, str] | None  # first and last issue year
    period: tuple[int, int] | None  # see coverage()

    def years(self) -> str | None:
        if not self.issued:
            return None
        first, last = self.issued
        return first if first == last else f"{first}–{last}"

    def summary(self) -> str:
        """One English sentence with every count, the issuers and the years."""
        text = (f"This release holds {self.notices} notice{'s' if self.notices != 1 else ''}"
                + (f" issued {self.years()}" if self.issued else "")
                + (f" by {_listed(self.issuers)}" if self.issuers else "")
                + f": {self.tasks} tasks and {self.assignments} unit assignments to {self.units} units.")
        if self.period:
            text += (f" Its notices cover {self.period[0]}–{self.period[1]} (their plan periods, "
                     "else the years they were issued).")
        return text


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:ISSUERS_SHOWN])
    more = len(names) - ISSUERS_SHOWN
    return shown + (f" and {more} other issuer{'s' if more != 1 else ''}" if more > 0 else "")


def _column(tables: dict[str, pa.Table], table: str, column: str) -> list:
    found = tables.get(table)
    return found.column(column).to_pylist() if found is not None and column in found.column_names else []


def contents(tables: dict[str, pa.Table]) -> Contents:
    """The counts are those of plan.duckdb: documents, tasks and assignments rows, and the distinct
    units assigned (``count(DISTINCT coalesce(unit_id, unit_label))``; a label that resolves to no
    registry unit counts as its own unit)."""
    documents = row_dicts(tables["documents"]) if "documents" in tables else []
    unit_ids, labels = _column(tables, "assignments", "unit_id"), _column(tables, "assignments", "unit_label")
    units = {unit_id if unit_id is not None else label for unit_id, label in zip(unit_ids, labels)}
    units.discard(None)
    pairs = set(zip(_column(tables, "issuers", "doc_id"), _column(tables, "issuers", "issuer")))
    pairs = pairs or {(row["doc_id"], row.get("issuer")) for row in documents}
    by_issuer = Counter(issuer for _, issuer in pairs if issuer)  # notices per issuer
    issuers = tuple(sorted(by_issuer, key=lambda name: (-by_issuer[name], name)))
    dates = sorted(str(row["issue_date"])[:4] for row in documents if row.get("issue_date"))
    return Contents(
        notices=len(documents),
        tasks=tables["tasks"].num_rows if "tasks" in tables else 0,
        assignments=tables["assignments"].num_rows if "assignments" in tables else 0,
        units=len(units), issuers=issuers,
        issued=(dates[0], dates[-1]) if dates else None,
        period=coverage(documents))


def coverage(documents: list[dict]) -> tuple[int, int] | None:
    """The years the release's notices cover: each notice's plan period, else its issue year; the
    earliest start to the latest end. One notice's period is never the whole release's."""
    spans = []
    for row in documents:
        issued = int(str(row["issue_date"])[:4]) if row.get("issue_date") else None
        start, end = row.get("period_start") or issued, row.get("period_end") or issued
        if start and end:
            spans.append((start, end))
    return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else None


def described(descriptor: dict, found: Contents) -> dict:
    """The descriptor as the pages, DCAT and the citation show it: its description completed with the
    counts, issuers and years, its keywords with the issuers. datapackage.json itself stays as written."""
    keywords = list(dict.fromkeys([*descriptor.get("keywords", []), *found.issuers]))
    return {**descriptor, "description": f"{descriptor.get('description', '').strip()} {found.summary()}".strip(),
            "keywords": keywords}
