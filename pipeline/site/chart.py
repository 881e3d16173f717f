"""The build-time SVG chart of a notice: its units × its chapters (or top-level sections), per role."""
from __future__ import annotations

from collections import defaultdict

from pipeline.site.markup import esc
from pipeline.site.units_index import role_name, roles, unit_key

ROLE_COLOURS = {"lead": "#b2182b", "co": "#2166ac", "responsible": "#4d9221", "guide": "#8c510a"}
_FALLBACK_COLOURS = ("#762a83", "#555555")
LABEL_WIDTH, CELL_WIDTH, ROW_HEIGHT, HEAD_HEIGHT, BAR_GAP = 160, 56, 22, 130, 2
# Each row's total, beside its name: on a phone the chapters scroll, and a row is never blank in view.
TOTAL_WIDTH = 44
ROLE_LINE, NUMBER_ROOM = 12, 18  # per role: a bar and its count, drawn, not left to a hover
HEAD_CHARS, NAME_CHARS = 8, 12  # a column's heading shown under its label; a unit name (full one on hover)


def top_level(sections: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """The notice's top-level nodes in document order, and each section_id's top-level ancestor."""
    parents = {row["section_id"]: row.get("parent_id") for row in sections}
    roots: dict[str, str] = {}
    for section_id in parents:
        node, seen = section_id, set()
        while parents.get(node) and node not in seen:
            seen.add(node)
            node = parents[node]
        roots[section_id] = node
    return [row for row in sections if not row.get("parent_id")], roots


def chart_svg(doc_id: str, sections: list[dict], tasks: list[dict], assignments: list[dict],
              unit_names: dict[str, str]) -> str:
    columns, roots = top_level(sections)
    by_chapter = columns and min(row["level"] for row in columns) == 1
    task_root = {row["task_id"]: roots.get(row["section_id"], row["section_id"]) for row in tasks}
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    seen: set[tuple] = set()
    for row in assignments:
        key = (unit_key(row), task_root.get(row["task_id"]), row["role"])
        if (key, row["task_id"]) in seen:
            continue  # a unit printed twice in one role of one task counts once
        seen.add((key, row["task_id"]))
        counts[key] += 1
    shown_roles = [role for role in roles() if any(k[2] == role for k in counts)]
    column_index = {column["section_id"]: index for index, column in enumerate(columns)}
    cells: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)  # unit -> column index -> role -> count
    for (unit, column_id, role), value in counts.items():
        if column_id in column_index and role in shown_roles:
            cells[unit].setdefault(column_index[column_id], {})[role] = value
    totals = {unit: sum(sum(found.values()) for found in by_column.values()) for unit, by_column in cells.items()}
    # Only units with something to draw get a row: a row with no bar and no number reads as missing data.
    units = sorted((unit for unit, total in totals.items() if total),
                   key=lambda u: (-totals[u], unit_names.get(u, u), u))
    peak = max((value for by_column in cells.values() for found in by_column.values() for value in found.values()),
               default=1)
    axis = "章 chapter" if by_chapter else "节 section"
    row_height = max(ROW_HEIGHT, ROLE_LINE * len(shown_roles) + 4)
    left = LABEL_WIDTH + TOTAL_WIDTH
    width = left + CELL_WIDTH * max(len(columns), 1) + 10
    height = HEAD_HEIGHT + row_height * max(len(units), 1) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" data-doc="{esc(doc_id)}" data-axis="{"chapter" if by_chapter else "section"}" '
             f'aria-label="{esc("units × " + axis)}">',
             f"<title>{esc('单位 × ' + axis + '：' + ', '.join(role_name(r) + ' 任务数' for r in shown_roles))}</title>",
             f'<text class="axis" x="{LABEL_WIDTH - 6}" y="14" text-anchor="end">{esc(axis)} →</text>',
             f'<text class="axis" x="{LABEL_WIDTH - 6}" y="{HEAD_HEIGHT - 6}" text-anchor="end">单位 unit ↓ · 任务数 tasks</text>',
             f'<text class="col total" x="{LABEL_WIDTH + TOTAL_WIDTH / 2:g}" y="14" text-anchor="middle">合计</text>'
             f'<text class="col-heading" x="{LABEL_WIDTH + TOTAL_WIDTH / 2:g}" y="22" writing-mode="tb">total</text>']
    for index, column in enumerate(columns):
        x = left + index * CELL_WIDTH + CELL_WIDTH / 2
        heading = column["heading"] or ""
        short = heading if len(heading) <= HEAD_CHARS else heading[: HEAD_CHARS - 1] + "…"
        # The label on top, the heading's first characters read downwards: a head says what its column is.
        parts.append(f'<text class="col" x="{x:g}" y="14" text-anchor="middle">{esc(column["label"])}'
                     f"<title>{esc(column['label'] + heading)}</title></text>")
        if short:
            parts.append(f'<text class="col-heading" x="{x:g}" y="22" writing-mode="tb" '
                         f'>{esc(short)}<title>{esc(column["label"] + heading)}</title></text>')
    column_titles = [esc(column["label"] + column["heading"]) for column in columns]
    role_names = {role: role_name(role) for role in shown_roles}
    bar_room = CELL_WIDTH - 8 - NUMBER_ROOM
    for row_index, unit in enumerate(units):
        y = HEAD_HEIGHT + row_index * row_height
        name = unit_names.get(unit, unit)
        shown_name = esc(name)
        if row_index % 2:
            parts.append(f'<rect class="stripe" x="0" y="{y}" width="{width}" height="{row_height}" fill="#f1f1ee"/>')
        parts.append(f'<text class="unit" x="{LABEL_WIDTH - 6}" y="{y + row_height / 2 + 4:g}" '
                     f'text-anchor="end">{esc(_short_name(name))}<title>{shown_name}</title></text>'
                     f'<text class="row-total" x="{LABEL_WIDTH + TOTAL_WIDTH / 2:g}" y="{y + row_height / 2 + 4:g}" '
                     f'text-anchor="middle">{totals[unit]}</text>')
        for index in sorted(cells[unit]):
            column, found = columns[index], cells[unit][index]
            values = {role: found.get(role, 0) for role in shown_roles}
            x = left + index * CELL_WIDTH
            data = " ".join(f'data-{esc(role)}="{value}"' for role, value in values.items())
            summary = esc("，".join(f"{role_names[role]} {value}" for role, value in values.items()))
            parts.append(f'<g class="cell" data-unit="{shown_name}" data-column="{esc(column["section_id"])}" {data}>'
                         f"<title>{shown_name} × {column_titles[index]}：{summary}</title>")
            for role_index, role in enumerate(shown_roles):
                if values[role]:
                    top = y + 2 + role_index * ROLE_LINE
                    bar = max(bar_room * values[role] / peak, 2)
                    parts.append(f'<rect class="bar" x="{x + 4}" y="{top:g}" width="{bar:g}" '
                                 f'height="{ROLE_LINE - BAR_GAP:g}" fill="{_colour(role)}"/>'
                                 f'<text class="count" x="{x + 6 + bar:g}" y="{top + ROLE_LINE - 3:g}">{values[role]}</text>')
            parts.append("</g>")
    legend_y = HEAD_HEIGHT + row_height * max(len(units), 1) + 18
    for index, role in enumerate(shown_roles):
        x = 10 + index * 130
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{_colour(role)}"/>'
                     f'<text x="{x + 16}" y="{legend_y}">{esc(role_name(role))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _short_name(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _colour(role: str) -> str:
    if role in ROLE_COLOURS:
        return ROLE_COLOURS[role]
    return _FALLBACK_COLOURS[sum(map(ord, role)) % len(_FALLBACK_COLOURS)]
