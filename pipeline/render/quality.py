"""The release's quality report (quality.md): counts and every finding, escaped for Markdown."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.core.findings import KINDS
from pipeline.render.markdown import escape, table
from pipeline.render.arrow_rows import as_arrow, doc_counts, kind_counts, row_dicts

STALE = "stale (previous release's rows: the amended text could not be read)"
FINDING_COLUMNS = ["doc_id", "line", "kind", "severity", "value", "message"]


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
    lines.append("Counts per notice, and every finding: what looked odd in the text and what the "
                 "build did about it. Findings of `error` severity stop a build, so a published release "
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
    for document in documents:
        doc_id = document["doc_id"]
        assignments = counts["assignments"].get(doc_id, 0)
        done = resolved.get(doc_id, 0)
        lines += [f"## {escape(document['title'] or doc_id)}", ""]
        if document.get("stale"):
            lines.append(f"- **{escape(STALE)}**")
        lines += [# Not in a code span: backslash escapes do not work there, and a backtick in the name would end it.
                  f"- doc_id: `{doc_id}`; source {escape(document['source_file'])} "
                  f"({escape(document['source_encoding'])}, sha256 `{document['source_sha256'][:16]}…`); "
                  f"jurisdiction: {escape(document.get('jurisdiction') or 'unknown (national units only)')}",
                  f"- sections: {counts['sections'].get(doc_id, 0)}; tasks: {counts['tasks'].get(doc_id, 0)}; "
                  f"assignments: {assignments} ({done} resolved to a registry unit, "
                  f"{assignments - done} unresolved); "
                  f"unresolved units: {unresolved.get(doc_id, 0)} distinct printed labels; "
                  f"citations: {counts['citations'].get(doc_id, 0)}", ""]
    by_kind = kind_counts(findings)
    lines += ["## Findings by kind", ""]
    lines.append(table(["kind", "severity", "count", "meaning"],
                       [[kind, severity, by_kind.get((kind, severity), 0), meaning]
                        for kind, (severity, meaning) in KINDS.items()], max_chars=120))
    lines += ["", "## Every finding", ""]
    if findings is not None and findings.num_rows:
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
