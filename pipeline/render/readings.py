"""The README's readings table, generated from pipeline/core/vocabulary.csv (the table the parser reads).

    python -m pipeline.render.readings README.md   # rewrites the section between the markers
"""
from __future__ import annotations


from pipeline.render.generated import main
from pipeline.core import vocabulary
from pipeline.render.markdown import table

START = "<!-- readings:start (generated from pipeline/core/vocabulary.csv by python -m pipeline.render.readings README.md) -->"
END = "<!-- readings:end -->"
_KIND_TITLES = {
    "mark": "numbering mark", "label": "role label", "misprint": "misprinted label", "verb": "role verb",
    "joiner": "joiner", "qualifier": "qualifier", "convention": "convention", "scope": "scope",
    "open": "open-ended list", "collective": "collective", "organ": "organ word",
    "role_column": "table role column", "task_column": "table task column", "number_column": "table numbering column",
    "category_column": "table category column", "deadline_column": "table deadline column",
    "name_end": "end of a unit's name",
    "deadline_label": "deadline label", "deadline_form": "deadline form", "recurring": "recurring deadline",
    "standing": "standing deadline",
}


def readings() -> str:
    rows = [[_KIND_TITLES[entry.kind], entry.printed, entry.role or (f"level {entry.level}" if entry.level else ""),
             entry.reading] for entry in vocabulary.entries()]
    return table(["kind", "printed", "role", "reading"], rows, max_chars=300)


if __name__ == "__main__":
    main(START, END, readings)
