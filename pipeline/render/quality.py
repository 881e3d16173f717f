"""The release's quality report: quality.md, a summary, and quality/<doc_id>.md, each notice's counts and
every finding. Escaped for Markdown."""
from __future__ import annotations

from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.core.findings import KINDS
from pipeline.render.markdown import escape, table
from pipeline.render.arrow_rows import as_arrow, doc_counts, kind_counts, row_dicts

STALE = "stale (previous release's rows: the amended text could not be read)"
FINDING_COLUMNS = ["doc_id", "line", "kind", "severity", "value", "message"]
QUALITY_FOLDER = "quality"
MOST_FINDINGS = 50  # quality.md stays a summary at 10,000 notices: the rest is in each notice's file


def quality_report(tables: dict[str, pa.Table], notices: list[str] = (), skipped: list[dict] = (),
                   unread: list[dict] = ()) -> str:
    """``notices`` are release-wide remarks (the placeholder base URL), shown first. ``skipped``: the
    notices --skip-broken left out, each {"file", "line", "message", "stale"} (stale: the previous
    release's rows of it were kept). ``unread``: files beside the notices in a format no reader reads,
    each {"file", "format"}."""
    tables = as_arrow(tables)
    documents = row_dicts(tables["documents"]) if "documents" in tables else []
    findings = tables.get("findings")
    lines = ["# Quality report", ""]
    for notice in notices:
        lines += [f"**Note:** {escape(notice)}", ""]
    lines.append("A summary of what looked odd in the text and what the build did about it; each "
                 "notice's counts and findings are in a file of its own. Findings of `error` severity stop a build, so a published release "
                 "holds `warning` and `info` findings only.")
    lines.append("")
    if skipped:
        lines += ["## Notices left out", "",
                  f"{len(skipped)} notice(s) could not be read and were left out of this release (--skip-broken).", ""]
        lines.append(table(["file", "line", "message", "kept"],
                           [[item["file"], item.get("line"), item["message"],
                             "previous rows kept (stale)" if item.get("stale") else "left out"] for item in skipped],
                           max_chars=200))
        lines.append("")
    if unread:
        lines += ["## Files not read", "",
                  f"{len(unread)} file(s) in the sources directory are in a format that is not read "
                  "(only .txt, .html/.htm and .docx notices are); their text is not in this release.", ""]
        lines.append(table(["file", "format"], [[item["file"], item["format"]] for item in unread], max_chars=200))
        lines.append("")
    # Whole-table group-bys: a portal's thousands of notices must not rescan every table per notice.
    counts = {name: doc_counts(tables.get(name)) for name in ("sections", "tasks", "assignments", "citations")}
    empty = [document for document in documents if not counts["tasks"].get(document["doc_id"])]
    if empty:
        warned = _no_tasks_lines(findings)
        lines += ["## Notices with 0 tasks", "",
                  f"{len(empty)} notice(s) gave no task. A `no_tasks` warning names the first line that prints "
                  "a role label, a role clause or a table with a role column; without one, the notice prints none.", ""]
        lines.append(table(["doc_id", "source", "no_tasks line"],
                           [[document["doc_id"], document["source_file"], warned.get(document["doc_id"], "")]
                            for document in empty], max_chars=200))
        lines.append("")
    resolved, unresolved = _unit_counts(tables.get("assignments"))
    findings_of = doc_counts(findings)
    totals = {name: sum(counts[name].values()) for name in counts}
    done = sum(resolved.values())
    stale = [document for document in documents if document.get("stale")]
    lines += ["## Summary", "",
              f"- notices: {len(documents)} ({len(stale)} stale); sections: {totals['sections']}; "
              f"tasks: {totals['tasks']}; assignments: {totals['assignments']} ({done} resolved to a registry unit, "
              f"{totals['assignments'] - done} unresolved); citations: {totals['citations']}; "
              f"findings: {findings.num_rows if findings is not None else 0}",
              f"- Each notice's details (its source, counts and every finding) are in `{QUALITY_FOLDER}/<doc_id>.md`, "
              "one file per notice, which a later release keeps as it is while the notice does not change.", ""]
    if stale:
        lines += ["## Stale notices", ""]
        lines += [f"- **{escape(STALE)}**: {_notice_link(document)}" for document in stale]
        lines.append("")
    busiest = sorted((document for document in documents if findings_of.get(document["doc_id"])),
                     key=lambda document: (-findings_of[document["doc_id"]], document["doc_id"]))
    if busiest:
        shown = busiest[:MOST_FINDINGS]
        lines += ["## Notices with the most findings", "",
                  f"The {len(shown)} of {len(busiest)} notice(s) with findings that have the most:", ""]
        lines += [f"- {_notice_link(document)}: {findings_of[document['doc_id']]} finding(s), "
                  f"{counts['tasks'].get(document['doc_id'], 0)} task(s), "
                  f"{unresolved.get(document['doc_id'], 0)} unresolved unit label(s)" for document in shown]
        lines.append("")
    by_kind = kind_counts(findings)
    lines += ["## Findings by kind", ""]
    lines.append(table(["kind", "severity", "count", "meaning"],
                       [[kind, severity, by_kind.get((kind, severity), 0), meaning]
                        for kind, (severity, meaning) in KINDS.items()], max_chars=120))
    known = {document["doc_id"] for document in documents}
    loose = findings.filter(pc.invert(pc.fill_null(pc.is_in(findings["doc_id"], pa.array(sorted(known), pa.string())), False))) \
        if findings is not None and findings.num_rows else None
    if loose is not None and loose.num_rows:
        # Findings of no notice of this release have no file of their own: they are listed here.
        lines += ["", "## Findings of no notice", ""]
        columns = [loose[name].to_pylist() for name in FINDING_COLUMNS]
        lines.append(table(FINDING_COLUMNS, [list(row) for row in zip(*columns)], max_chars=160))
    return "\n".join(lines) + "\n"


def notice_quality_path(doc_id: str) -> str:
    return f"{QUALITY_FOLDER}/{doc_id}.md"


def _notice_link(document: dict) -> str:
    return f"[{escape(document.get('title') or document['doc_id'])}](<{quote(notice_quality_path(document['doc_id']))}>)"


def notice_quality(document: dict, tables: dict[str, pa.Table]) -> str:
    """quality/<doc_id>.md: one notice's source, counts and every finding. ``tables``: that notice's
    rows only. Nothing here depends on the release or the other notices, so an unchanged notice's
    file is the same bytes in every release and can be hard-linked."""
    tables = as_arrow(tables)
    doc_id = document["doc_id"]
    rows = {name: (tables[name].num_rows if name in tables else 0)
            for name in ("sections", "tasks", "assignments", "citations")}
    resolved, unresolved = _unit_counts(tables.get("assignments"))
    done = resolved.get(doc_id, 0)
    lines = [f"# Quality: {escape(document.get('title') or doc_id)}", "",
             f"[quality.md](../quality.md) · [notice page](<../notices/{quote(doc_id)}.html>)", ""]
    if document.get("stale"):
        lines.append(f"- **{escape(STALE)}**")
    lines += [# Not in a code span: backslash escapes do not work there, and a backtick in the name would end it.
              f"- doc_id: `{doc_id}`; source {escape(document['source_file'])} "
              f"({escape(document['source_encoding'])}, sha256 `{document['source_sha256'][:16]}…`); "
              f"jurisdiction: {escape(document.get('jurisdiction') or 'unknown (national units only)')}",
              f"- sections: {rows['sections']}; tasks: {rows['tasks']}; "
              f"assignments: {rows['assignments']} ({done} resolved to a registry unit, "
              f"{rows['assignments'] - done} unresolved); "
              f"unresolved units: {unresolved.get(doc_id, 0)} distinct printed labels; "
              f"citations: {rows['citations']}", ""]
    findings = tables.get("findings")
    total = findings.num_rows if findings is not None else 0
    lines += [f"## Findings ({total})", ""]
    if total:
        columns = [findings[name].to_pylist() for name in FINDING_COLUMNS]
        lines.append(table(FINDING_COLUMNS, [list(row) for row in zip(*columns)], max_chars=160))
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def _no_tasks_lines(findings: pa.Table | None) -> dict[str, int]:
    if findings is None or not findings.num_rows:
        return {}
    rows = findings.filter(pc.equal(findings["kind"], "no_tasks"))
    return dict(zip(rows["doc_id"].to_pylist(), rows["line"].to_pylist()))


def _unit_counts(assignments: pa.Table | None) -> tuple[dict[str, int], dict[str, int]]:
    """Per doc_id: assignments resolved to a registry unit, and distinct printed labels left unresolved."""
    if assignments is None or assignments.num_rows == 0:
        return {}, {}
    unit_id = assignments["unit_id"]
    is_resolved = pc.fill_null(pc.not_equal(unit_id, ""), False)
    resolved = doc_counts(assignments.filter(is_resolved))
    labels = (assignments.filter(pc.invert(is_resolved)).select(["doc_id", "unit_label"])
              .group_by(["doc_id", "unit_label"]).aggregate([]))
    return resolved, doc_counts(labels)
