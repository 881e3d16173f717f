"""notices/<doc_id>.html: one notice's header, its plan as a tree with every task's units, and its chart."""
from __future__ import annotations

from collections import defaultdict
from functools import cache

from pipeline.publish.texts import text_path
from pipeline.schema import table_specs
from pipeline.site.chart import chart_svg
from pipeline.site.markup import document, esc, href, paragraphs
from pipeline.site.units_index import role_name, roles, unit_key
from pipeline.site.words import shown as shown_value

# Fields shown in the tree itself or in the provenance line; any other column of tasks (a new
# one included) is listed under the task by its schema title.
_TASK_FIELDS_SHOWN = {"doc_id", "task_id", "section_id", "seq", "label", "title", "text",
                      "line_start", "line_end", "source_sha256"}
_LONG_TEXT = 160
NOTICE_COUNTS = ("sections", "tasks", "assignments", "citations", "findings")


def notice_path(doc_id: str) -> str:
    return f"notices/{doc_id}.html"


def _field_title(spec_field: dict) -> str:
    return f"{spec_field['title_zh']} {spec_field['title']}"


def _header(document_row: dict) -> str:
    items = []
    for spec_field in table_specs()["documents"].fields:
        value = document_row.get(spec_field["name"])
        if value is None or value == "":
            continue
        text = str(value)
        shown = (f"<details><summary>{esc(text[:60])}…</summary>{paragraphs(text)}</details>"
                 if len(text) > _LONG_TEXT else shown_value(value))
        if spec_field["name"] == "rendered_sha256" and not document_row.get("stale"):
            # The text every line number on this page refers to (a stale notice's is not in this release).
            text_file = text_path(document_row["doc_id"])
            shown += f' (<a href="../{href(text_file)}">{esc(text_file)}</a>)'
        items.append(f"<dt>{esc(_field_title(spec_field))}</dt><dd>{shown}</dd>")
    return '<dl class="header">' + "".join(items) + "</dl>"


@cache
def _extra_task_fields() -> list[tuple[str, str]]:
    """(column, its <dt>) of each tasks column not shown otherwise."""
    return [(f["name"], f"<dt>{esc(_field_title(f))}</dt>") for f in table_specs()["tasks"].fields
            if f["name"] not in _TASK_FIELDS_SHOWN]


@cache
def _role_head(role: str) -> str:
    return f'<div class="role role-{esc(role)}"><span class="role-name">{esc(role_name(role))}</span><ul>'


def _unit_item(row: dict, unit_names: dict[str, str], items: dict[tuple, str]) -> str:
    """A unit's <li>; the same unit recurs on many tasks of a notice, so each is made once (items)."""
    label, unit_id = row["unit_label"], row["unit_id"]
    item = items.get((label, unit_id))
    if item is None:
        item = items[label, unit_id] = (
            f'<li class="unit" data-unit="{esc(unit_names.get(unit_id or "label:" + label, label))}"'
            f' title="{esc(unit_id or "unresolved")}">{esc(label)}</li>')
    return item


def _task(task: dict, assignments: list[dict], unit_names: dict[str, str], items: dict[tuple, str]) -> str:
    by_role: dict[str, list[dict]] = defaultdict(list)
    for row in assignments:
        by_role[row["role"]].append(row)
    lines = []
    for role in [*roles(), *sorted(set(by_role) - set(roles()))]:
        if not by_role.get(role):
            continue
        units = "".join(_unit_item(row, unit_names, items) for row in sorted(by_role[role], key=_position))
        lines.append(f"{_role_head(role)}{units}</ul></div>")
    extra = "".join(f"{title}<dd>{shown_value(task.get(name))}</dd>" for name, title in _extra_task_fields()
                    if task.get(name) not in (None, ""))
    task_id = esc(task["task_id"])
    return (f'<div class="task" id="t-{task_id}" data-task="{task_id}">'
            f'<p class="task-head">任务 task <a href="#t-{href(task["task_id"])}">{task_id}</a>'
            f' · 序号 {esc(task["seq"])} · 行 lines {esc(task["line_start"])}–{esc(task["line_end"])}</p>'
            + (f'<dl class="task-fields">{extra}</dl>' if extra else "") + "".join(lines) + "</div>")


def _position(row: dict):
    return row["position"]


def _tree(sections: list[dict], tasks: list[dict], assignments: list[dict], unit_names: dict[str, str]) -> str:
    children: dict[str | None, list[dict]] = defaultdict(list)
    for row in sections:
        children[row.get("parent_id") or None].append(row)
    tasks_of: dict[str, list[dict]] = defaultdict(list)
    for task in tasks:
        tasks_of[task["section_id"]].append(task)
    units_of: dict[str, list[dict]] = defaultdict(list)
    for row in assignments:
        units_of[row["task_id"]].append(row)
    items: dict[tuple, str] = {}

    def node(row: dict) -> str:
        # Unit lines follow a node's children in the text, so its tasks come after them here too.
        inner = [paragraphs(row.get("body"))]
        kids = children.get(row["section_id"], [])
        if kids:
            inner.append("<ul>" + "".join(f"<li>{node(kid)}</li>" for kid in kids) + "</ul>")
        inner += [_task(task, units_of[task["task_id"]], unit_names, items) for task in tasks_of[row["section_id"]]]
        return (f'<details open class="node level-{esc(row["level"])}" id="s-{esc(row["section_id"])}">'
                f'<summary><span class="label">{esc(row["label"])}</span>{esc(row["heading"])}</summary>'
                + "".join(inner) + "</details>")

    # A node whose parent is missing (it should not happen) is still shown, at the top.
    known = {row["section_id"] for row in sections}
    tops = [row for row in sections if not row.get("parent_id") or row["parent_id"] not in known]
    return '<nav class="tree">' + "".join(node(row) for row in tops) + "</nav>"


def _contents(sections: list[dict]) -> str:
    links = "".join(f'<li><a href="#s-{href(row["section_id"])}">{esc(row["label"])}{esc(row["heading"])}</a></li>'
                    for row in sections if not row.get("parent_id"))
    return f'<ol class="contents">{links}</ol>'


def notice_unit_names(assignments: list[dict], registry: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """The name shown for each unit of one notice: the registry's, else the label printed first."""
    names: dict[str, str] = {}
    for row in assignments:
        key = unit_key(row)
        if key not in names:
            known = registry.get(row["unit_id"]) if row["unit_id"] else None
            names[key] = known[0] if known else row["unit_label"]
    return names


def notice_page(document_row: dict, rows: dict[str, list[dict]], counts: dict[str, int],
                registry: dict[str, tuple[str, str | None]]) -> str:
    """rows: this notice's sections, tasks and assignments; counts: its rows per table.

    Nothing here depends on the release (its id, the other notices, the clock): an unchanged
    notice's page is the same bytes in every release, so it can be reused."""
    doc_id = document_row["doc_id"]
    sections, tasks, assignments = rows.get("sections", []), rows.get("tasks", []), rows.get("assignments", [])
    unit_names = notice_unit_names(assignments, registry)
    title = document_row.get("title") or doc_id
    shown = " · ".join(f"{esc(name)} {counts.get(name, 0)}" for name in NOTICE_COUNTS)
    body = ['<header><p class="crumbs"><a href="../index.html">← 本版本 release</a> · '
            f'<a href="{href("../quality/" + doc_id + ".md")}">质量 quality details</a></p>',
            f"<h1>{esc(title)}</h1>",
            f'<p class="counts">{shown}</p>',
            '<p id="changed-summary" class="changed-note" hidden></p></header>',
            f'<main data-doc="{esc(doc_id)}">',
            '<section id="header"><h2>文件信息 Notice</h2>' + _header(document_row) + "</section>",
            '<section id="chart"><h2>单位 × 章节 Units × chapters</h2>'
            '<p>Tasks each unit leads and co-operates on, per top-level part of the plan. '
            'Each bar is labelled with its count; hover a cell for the chapter title. A wide chart scrolls inside its frame.</p><div class="chart-frame">'
            + chart_svg(doc_id, sections, tasks, assignments, unit_names) + "</div></section>",
            '<section id="plan"><h2>规划结构 Plan</h2>' + _contents(sections)
            + _tree(sections, tasks, assignments, unit_names) + "</section>",
            "</main>"]
    # marks.js first: changed-tasks.js (this release's, beside the notices folder) calls it.
    marks = "".join(f'<script src="{href(path)}" defer></script>' for path in ("../assets/marks.js", "../changed-tasks.js"))
    return document(f"{title} · plandata", "\n".join(body), root="../", head_extra=marks)
