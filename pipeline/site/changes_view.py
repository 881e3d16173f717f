"""What changed since the previous release: the release page's summary near the top, with every change
linked to its task's (or section's) anchor, and the per-release marks file notice pages load.

Notice pages stay the same bytes in every release (so an unchanged one can be hard-linked): they load
``../changed-tasks.js``, this release's file, by <script> (the Content-Security-Policy allows 'self'
scripts, not fetch of data files from file://), and assets/marks.js marks the tasks it names."""
from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from pipeline.site.markup import esc, href, json_for_html, table
from pipeline.site.notice_page import notice_path

MARKS_FILE = "changed-tasks.js"
MARKS_SCRIPT = "marks.js"
CHANGES_LISTED = 200
ENTITY_WORDS = {"document": "文件 notice", "section": "章节 section", "task": "任务 task", "assignment": "分工 assignment"}
CHANGE_WORDS = {"added": "新增 added", "removed": "删除 removed", "renumbered": "重新编号 renumbered",
                "text_changed": "文字修改 text changed", "deadline_changed": "时限变更 deadline changed",
                "units_changed": "单位变更 units changed", "metadata_changed": "信息变更 metadata changed"}


def change_target(row: dict, doc_ids: list[str], old_doc_ids: list[str] = ()) -> tuple[str, str, str] | None:
    """(side, doc_id, anchor) a change row points at: side "new" (this release) unless the row was
    removed ("old": the previous release's page). Ids carry ``doc_id/`` when a release holds several
    notices, else they are the one notice's own ids. None when the notice cannot be told."""
    side, value = ("new", row.get("new_id")) if row.get("new_id") else ("old", row.get("old_id"))
    if not value:
        return None
    known = doc_ids if side == "new" else (old_doc_ids or doc_ids)
    entity = row.get("entity")
    if entity == "document":
        return (side, value, "") if value in known or len(known) <= 1 else None
    doc_id, rest = None, value
    head, _, tail = value.partition("/")
    if tail and head in set(doc_ids) | set(old_doc_ids):
        doc_id, rest = head, tail
    elif len(known) == 1:
        doc_id = known[0]
    if doc_id is None or not rest:
        return None
    if entity == "section":
        return side, doc_id, "s-" + rest
    task_id = rest.partition("/")[0] if entity == "assignment" else rest
    return side, doc_id, "t-" + task_id


def change_marks(changes: list[dict], doc_ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """doc_id -> anchor -> the kinds of change, for this release's tasks and sections only."""
    marks: dict[str, dict[str, list[str]]] = {}
    for row in changes:
        target = change_target(row, doc_ids)
        if target is None or target[0] != "new" or not target[2]:
            continue
        kinds = marks.setdefault(target[1], {}).setdefault(target[2], [])
        if row["change"] not in kinds:
            kinds.append(row["change"])
    return {doc_id: dict(sorted(anchors.items())) for doc_id, anchors in sorted(marks.items())}


def marks_script(changes: list[dict], doc_ids: list[str]) -> str:
    words = {key: value for key, value in CHANGE_WORDS.items()}
    return f"plandataChanged({json_for_html(change_marks(changes, doc_ids))},{json_for_html(words)});\n"


def _link(target: tuple[str, str, str] | None, previous: str | None, text: str) -> str:
    if target is None or (target[0] == "old" and not previous):
        return esc(text)
    side, doc_id, anchor = target
    page = notice_path(doc_id) if side == "new" else f"../{previous}/{notice_path(doc_id)}"
    return f'<a href="{href(page)}{"#" + esc(quote(anchor, safe="-._~")) if anchor else ""}">{esc(text)}</a>'


def changes_section(changes: list[dict], previous: str | None, documents: list[dict],
                    skipped: list[dict] = ()) -> str:
    """The section near the top of the release page: counts, left-out and stale notices, linked changes."""
    doc_ids = [row["doc_id"] for row in documents]
    against = (f'against the previous release <a href="../{href(previous)}/index.html">{esc(previous)}</a>'
               if previous else "none: this is the first release")
    counts = Counter((row["entity"], row["change"]) for row in changes)
    touched = {target[1] for target in (change_target(row, doc_ids) for row in changes) if target}
    parts = [f'<section id="changes"><h2>变更 What changed ({len(changes)})</h2>',
             f"<p>Since the previous release: {against}."
             + (f" {len(changes)} change(s) in {len(touched)} notice(s)." if previous else "") + "</p>"]
    if counts:
        parts.append('<div class="scroll">' + table(
            ["对象 entity", "变更 change", "数量 count"],
            [[esc(ENTITY_WORDS.get(e, e)), esc(CHANGE_WORDS.get(c, c)), str(n)] for (e, c), n in sorted(counts.items())],
            "change-counts") + "</div>")
    parts.append(_left_out(skipped, documents))
    if changes:
        listed = changes[:CHANGES_LISTED]
        rows = []
        for row in listed:
            target = change_target(row, doc_ids)
            shown_id = row.get("new_id") or row.get("old_id") or ""
            rows.append([esc(ENTITY_WORDS.get(row["entity"], row["entity"])),
                         esc(CHANGE_WORDS.get(row["change"], row["change"])),
                         _link(target, previous, shown_id), esc(_short(row.get("detail")))])
        more = (f"<p>The first {len(listed)} of {len(changes)}; all of them: " if len(changes) > len(listed)
                else "<p>As files: ")
        parts.append('<details open><summary>每项变更 Every change (links go to the task)</summary>'
                     + table(["对象 entity", "变更 change", "编号 id", "说明 detail"], rows, "changes")
                     + more + '<a href="changes.csv">changes.csv</a>, <a href="changes.json">changes.json</a>.</p>'
                     + "</details>")
    parts.append("</section>")
    return "".join(parts)


def _left_out(skipped: list[dict], documents: list[dict]) -> str:
    stale = [row for row in documents if row.get("stale")]
    out = [item for item in skipped if not item.get("stale")]
    if not stale and not out:
        return ""
    items = [f'<li class="left-out">未收录 left out: {esc(item.get("file"))}'
             + (f' (line {esc(item["line"])})' if item.get("line") else "")
             + f' — {esc(_short(item.get("message")))}</li>' for item in out]
    items += [f'<li class="stale">沿用旧版 stale: <a href="{href(notice_path(row["doc_id"]))}">'
              f'{esc(row.get("title") or row["doc_id"])}</a> — its amended text could not be read, '
              "so its rows are the previous release's</li>" for row in stale]
    return (f'<div id="left-out"><h3>未收录或沿用旧版 Notices left out or stale ({len(items)})</h3>'
            f'<ul>{"".join(items)}</ul><p>Why: <a href="quality.md">quality.md</a>.</p></div>')


def _short(value: object, limit: int = 200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
