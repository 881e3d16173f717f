"""The findings vocabulary: every oddity in a notice is reported under one of these kinds.

``error`` findings stop publishing; ``warning`` and ``info`` are published in the
``findings`` table and the quality report.
"""
from __future__ import annotations

from typing import NamedTuple


KINDS: dict[str, tuple[str, str]] = {
    "misprinted_label": ("warning", "a unit-line label is a known misprint; read as the role it was meant to be"),
    "unknown_label": ("error", "a line looks like a unit line but its label is not in the vocabulary"),
    "numbering_gap": ("warning", "a heading number skips one or more numbers"),
    "empty_unit_list": ("warning", "a unit line lists no unit"),
    "missing_lead": ("warning", "an assignment block has co-operating units but no lead line"),
    "missing_header_field": ("warning", "a header field (title, issuer, addressees, period) was not found"),
    "missing_issue_date": ("warning", "no issue date (e.g. 2008年8月11日) in the header or at the end; issue_date is empty"),
    "alias_used": ("info", "a unit is printed under an alias of its registry name"),
    "unresolved_unit": ("warning", "a printed unit label is in neither the unit registry nor its aliases"),
    "unit_repeated_in_task": ("warning", "the same unit is printed twice in one task"),
    "convention": ("info", "a first-listed convention (列第一位者为牵头单位) is printed; recorded once per notice"),
    "clause_note": ("info", "a responsibility clause carries a note (a standing sentence); no unit is read from it"),
    "no_tasks": ("warning", "no task was read from a notice that prints a role label, a bracketed role clause or a "
                            "table with a role column; the line is the first such one"),
    "table_units_in_rows": ("info", "a table whose units are row labels and whose deadlines are column headers: "
                                    "not read as assignments"),
    "table_alignment": ("warning", "a plain-text table row's unit cells cannot be aligned with the header's columns as printed; its units are not read"),
    "table_cell_split": ("warning", "the paragraphs of several cells of a plain-text table row cannot be split between their columns; kept together in each"),
    "table_not_read": ("info", "a captioned table in a text file (表1 …) without header words or row numbers does not fill a grid; its cells stay paragraphs"),
    "table_group_header": ("info", "a plain-text table's header is printed over two rows; one cell is read as the heading of the columns after it"),
    "deadline_year_unknown": ("warning", "a deadline prints no year and the plan's period gives none; due_date is empty"),
    "deadline_unread": ("warning", "a deadline is printed in no form of the vocabulary; due_date is empty"),
}
SEVERITIES = ("error", "warning", "info")


class Finding(NamedTuple):
    line: int | None
    kind: str
    message: str
    value: str | None = None

    @property
    def severity(self) -> str:
        return KINDS[self.kind][0]
