"""units/<file>.html: every task of one unit in every notice of the release, paged under a byte budget.

A unit is keyed as units_index keys it: its registry unit_id, or "label:" + the printed label when
the registry does not resolve it. A registry id that is a plain file name names the file
(units/audit-bureau.html); any other key (every label) is hashed, so that no label, however long
or odd, makes a file name: units/label-<16 hex>.html. Later pages of a unit add -2, -3...

A page depends only on the unit's tasks (and the names of the units they share), never on the
release id, so an unchanged unit page has the same bytes and may be hard-linked like a notice page."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import polars as pl
import pyarrow as pa

from pipeline.site.markup import document, esc, href, table
from pipeline.site.notice_page import notice_path
from pipeline.site.units_index import Unit, role_name, roles

# Rows are added to a page until its HTML reaches this many bytes: each page stays far below 2 MB
# even when a task names dozens of units.
PAGE_BUDGET = 1_000_000
PARTNERS = 12
TITLE_CHARS = 200
STYLESHEET = '<link rel="stylesheet" href="../assets/unit-search.css">\n'
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


def unit_file(key: str) -> str:
    """The file stem of a unit's pages."""
    if not key.startswith("label:") and _PLAIN_ID.fullmatch(key) and not key.startswith("label-"):
        return key
    return "label-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def unit_page_path(key: str, page: int = 1) -> str:
    return f"units/{unit_file(key)}{'' if page == 1 else f'-{page}'}.html"


def _cut(text: str) -> str:
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS] + "…"


def _frame(table: pa.Table | None, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    if table is None:
        return pl.DataFrame(schema=columns)
    present = [name for name in columns if name in table.column_names]
    frame = pl.from_arrow(table.select(present).replace_schema_metadata(None))
    return frame.with_columns(*(pl.lit(None, dtype).alias(name) for name, dtype in columns.items()
                                if name not in present))


def unit_pages(units: list[Unit], pairs: pl.DataFrame, documents: list[dict],
               tasks: pa.Table | None) -> Iterator[tuple[str, str]]:
    """(relative path, page HTML) of every unit page, units in name order."""
    keys = pl.DataFrame({"key": [unit.key for unit in units]}, schema={"key": pl.String})
    notices = pl.DataFrame({"doc_id": [doc["doc_id"] for doc in documents],
                            "notice_index": range(len(documents)),
                            "notice_title": [doc.get("title") or doc["doc_id"] for doc in documents]},
                           schema={"doc_id": pl.String, "notice_index": pl.Int64, "notice_title": pl.String})
    task_frame = _frame(tasks, {"doc_id": pl.String, "task_id": pl.String, "seq": pl.Int64, "label": pl.String,
                                "title": pl.String, "deadline": pl.String})
    task_frame = task_frame.rename({"label": "task_label"})
    named = pairs.select("key", "doc_id", "task_id", "roles").join(keys, on="key")
    # Each task's units, in the order the task names them: the "units" cell of every row.
    task_units = named.group_by(["doc_id", "task_id"], maintain_order=True).agg(pl.col("key").alias("task_keys"))
    rows = (named.join(notices, on="doc_id", how="left").join(task_frame, on=["doc_id", "task_id"], how="left")
            .join(task_units, on=["doc_id", "task_id"], how="left")
            .with_columns(pl.col("notice_index").fill_null(-1), pl.col("seq").fill_null(0),
                          pl.col("notice_title").fill_null(pl.col("doc_id")), pl.col("task_label").fill_null(""),
                          pl.col("title").fill_null(""), pl.col("deadline").fill_null(""))
            .sort(["key", "notice_index", "seq", "task_id"]))
    partners = (named.select("key", "doc_id", "task_id")
                .join(named.select("doc_id", "task_id", pl.col("key").alias("other")), on=["doc_id", "task_id"])
                .filter(pl.col("key") != pl.col("other"))
                .group_by(["key", "other"]).len()
                .sort(["key", "len", "other"], descending=[False, True, False])
                .group_by("key", maintain_order=True).head(PARTNERS))
    partner_of: dict[str, list[tuple[str, int]]] = {}
    for key, other, count in partners.iter_rows():
        partner_of.setdefault(key, []).append((other, count))
    by_key = {unit.key: unit for unit in units}
    links = {unit.key: f'<a href="{href(unit_page_path(unit.key).removeprefix("units/"))}">{esc(unit.name)}</a>'
             for unit in units}
    groups = {key: part for (key,), part in rows.group_by("key", maintain_order=True)}
    role_order = roles()
    for unit in units:
        part = groups.get(unit.key)
        if part is None:
            continue
        yield from _pages(unit, part, partner_of.get(unit.key, []), by_key, links, role_order)


def _row(values: tuple, links: dict[str, str]) -> str:
    doc_id, notice_title, task_id, task_label, title, unit_roles, deadline, task_keys = values
    page = "../" + notice_path(doc_id)
    cells = (f'<a href="{href(page)}">{esc(notice_title)}</a>',
             f'<a href="{href(page + "#t-" + task_id)}">{esc(task_id)}</a>',
             esc(task_label) + esc(_cut(title)),
             esc("、".join(role_name(role) for role in unit_roles)),
             esc(deadline),
             "、".join(links[key] for key in task_keys if key in links))
    return f'<tr data-task="{esc(doc_id + "/" + task_id)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _pages(unit: Unit, part: pl.DataFrame, partners: list[tuple[str, int]], by_key: dict[str, Unit],
           links: dict[str, str], role_order: list[str]) -> Iterator[tuple[str, str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    columns = ["doc_id", "notice_title", "task_id", "task_label", "title", "roles", "deadline", "task_keys"]
    for values in part.select(columns).iter_rows():
        line = _row(values, links)
        if size + len(line.encode("utf-8")) > PAGE_BUDGET and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line.encode("utf-8"))
    shown_roles = [*role_order, *sorted(set(unit.role_tasks) - set(role_order))]
    counts = table(["角色 role", "任务 tasks"],
                   [[esc(role_name(role)), str(unit.count(role))] for role in shown_roles if unit.count(role)]
                   + [["合计 all roles", str(unit.tasks)]], "unit-roles")
    partner_rows = [[links[other], esc(by_key[other].full_name or ""), str(count)]
                    for other, count in partners if other in by_key]
    works_with = (table(["单位 unit", "全称 full name", "共同任务 shared tasks"], partner_rows, "unit-partners")
                  if partner_rows else "<p>No other unit shares a task with this one.</p>")
    identity = (f"登记单位 registry unit <code>{esc(unit.unit_id)}</code>" if unit.unit_id
                else "未对应登记单位 a label the registry does not resolve")
    for number, lines in enumerate(chunks, start=1):
        nav = ""
        if len(chunks) > 1:
            nav = ('<nav class="pages"><p>页 Pages: ' + " ".join(
                f"<strong>{index}</strong>" if index == number else
                f'<a href="{href(unit_page_path(unit.key, index).removeprefix("units/"))}">{index}</a>'
                for index in range(1, len(chunks) + 1)) + "</p></nav>")
        head = [f'<header><p class="crumbs"><a href="../index.html">← 本版本 release</a> · '
                f'<a href="../search.html">搜索 search</a></p>',
                f"<h1>{esc(unit.name)}</h1>",
                f'<p class="subtitle">{esc(unit.full_name or "")} {identity}</p>',
                f'<p class="counts">{unit.tasks} 项任务 tasks · {unit.notices} 个文件 notices</p></header><main>']
        if number == 1:
            head += ['<section id="roles"><h2>按角色 By role</h2>' + counts + "</section>",
                     '<section id="partners"><h2>常合作的单位 Works most often with</h2>' + works_with + "</section>"]
        body = (f'<section id="tasks"><h2>任务 Tasks</h2>{nav}<div class="table-frame"><table class="unit-tasks">'
                "<thead><tr><th>文件 notice</th><th>任务 task</th><th>标题 title</th><th>角色 role</th>"
                "<th>期限 deadline</th><th>单位 units</th></tr></thead><tbody>\n"
                + "\n".join(lines) + f"\n</tbody></table></div>{nav}</section></main>")
        suffix = "" if len(chunks) == 1 else f" ({number}/{len(chunks)})"
        yield unit_page_path(unit.key, number), document(f"{unit.name}{suffix} · plandata",
                                                         "\n".join(head) + body, root="../",
                                                         head_extra=STYLESHEET)
