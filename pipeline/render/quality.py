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
    for document in documents:
        doc_id = document["doc_id"]
        def count(name: str) -> int:
            return sum(1 for row in tables.get(name, []) if row.get("doc_id") == doc_id)
        assignments = [row for row in tables.get("assignments", []) if row["doc_id"] == doc_id]
        resolved = sum(1 for row in assignments if row.get("unit_id"))
        lines += [f"## {escape(document['title'] or doc_id)}", "",
                  # Not in a code span: backslash escapes do not work there, and a backtick in the name would end it.
                  f"- doc_id: `{doc_id}`; source {escape(document['source_file'])} "
                  f"({escape(document['source_encoding'])}, sha256 `{document['source_sha256'][:16]}…`)",
                  f"- sections: {count('sections')}; tasks: {count('tasks')}; assignments: {len(assignments)} "
                  f"({resolved} resolved to a registry unit, {len(assignments) - resolved} unresolved); "
                  f"citations: {count('citations')}", ""]
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
