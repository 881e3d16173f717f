"""The release's quality report (quality.md): counts and every finding, escaped for Markdown."""
from __future__ import annotations

from collections import Counter

from pipeline.core.findings import KINDS
from pipeline.render.markdown import escape, table


def quality_report(tables: dict[str, list[dict]], notices: list[str] = ()) -> str:
    """``notices`` are release-wide remarks (the placeholder base URL), shown first."""
    documents = tables.get("documents", [])
    findings = tables.get("findings", [])
    lines = ["# Quality report", ""]
    for notice in notices:
        lines += [f"**Note:** {escape(notice)}", ""]
    lines.append("Counts per notice, and every finding: what looked odd in the text and what the "
                 "build did about it. Findings of `error` severity stop a build, so a published release "
                 "holds `warning` and `info` findings only.")
    lines.append("")
    # Rows grouped by notice once: a portal's thousands of notices must not rescan every table per notice.
    counts: Counter = Counter()
    unresolved: dict[str, set[str]] = {}
    resolved: Counter = Counter()
    for name in ("sections", "tasks", "assignments", "citations"):
        for row in tables.get(name, []):
            counts[name, row.get("doc_id")] += 1
    for row in tables.get("assignments", []):
        if row.get("unit_id"):
            resolved[row["doc_id"]] += 1
        else:
            unresolved.setdefault(row["doc_id"], set()).add(row["unit_label"])
    for document in documents:
        doc_id = document["doc_id"]
        assignments = counts["assignments", doc_id]
        lines += [f"## {escape(document['title'] or doc_id)}", "",
                  # Not in a code span: backslash escapes do not work there, and a backtick in the name would end it.
                  f"- doc_id: `{doc_id}`; source {escape(document['source_file'])} "
                  f"({escape(document['source_encoding'])}, sha256 `{document['source_sha256'][:16]}…`); "
                  f"jurisdiction: {escape(document.get('jurisdiction') or 'unknown (national units only)')}",
                  f"- sections: {counts['sections', doc_id]}; tasks: {counts['tasks', doc_id]}; "
                  f"assignments: {assignments} ({resolved[doc_id]} resolved to a registry unit, "
                  f"{assignments - resolved[doc_id]} unresolved); "
                  f"unresolved units: {len(unresolved.get(doc_id, ()))} distinct printed labels; "
                  f"citations: {counts['citations', doc_id]}", ""]
    by_kind = Counter((row["kind"], row["severity"]) for row in findings)
    lines += ["## Findings by kind", ""]
    lines.append(table(["kind", "severity", "count", "meaning"],
                       [[kind, severity, by_kind.get((kind, severity), 0), meaning]
                        for kind, (severity, meaning) in KINDS.items()], max_chars=120))
    lines += ["", "## Every finding", ""]
    if findings:
        lines.append(table(["doc_id", "line", "kind", "severity", "value", "message"],
                           [[r["doc_id"], r["line"], r["kind"], r["severity"], r["value"], r["message"]]
                            for r in findings], max_chars=160))
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
