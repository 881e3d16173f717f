"""Values as a reader says them: a boolean is 是/否, never Python's True/False."""
from __future__ import annotations

from pipeline.site.markup import esc


def shown(value: object) -> str:
    """A cell's value as escaped HTML text; booleans (numpy's and Arrow's included, via bool) as words."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "是" if value else "否"
    return esc(value)
