"""The change log's ids split into doc_id, section_id, task_id, role and unit_label, for analysts.

old_id and new_id keep the form `plandata diff` prints (doc_id/ before them only when a release holds
several notices); the parts make the log joinable with tasks and assignments in every release."""
from __future__ import annotations

ID_PARTS = ("doc_id", "section_id", "task_id", "role", "unit_label")


def _doc_and_rest(node_id: str, doc_ids: list[str]) -> tuple[str, str]:
    # Longest first: a doc_id may begin with another one.
    for doc_id in sorted(doc_ids, key=len, reverse=True):
        if node_id.startswith(doc_id + "/"):
            return doc_id, node_id[len(doc_id) + 1:]
    return (doc_ids[0], node_id) if len(doc_ids) == 1 else ("", node_id)


def with_id_parts(rows: list[dict], doc_ids: list[str]) -> list[dict]:
    """``rows`` with the ID_PARTS filled from new_id (old_id for a removed row); a part that does not
    apply is empty, like old_id of an added row. ``doc_ids`` are the notices of the new release."""
    known = sorted(set(doc_ids) | {row["old_id"] or row["new_id"] for row in rows if row["entity"] == "document"})
    single = list(doc_ids) if len(set(doc_ids)) == 1 else known
    out = []
    for row in rows:
        node_id = row["new_id"] or row["old_id"]
        parts = dict.fromkeys(ID_PARTS, "")
        if row["entity"] == "document":
            parts["doc_id"] = node_id
        else:
            parts["doc_id"], rest = _doc_and_rest(node_id, single)
            if row["entity"] == "section":
                parts["section_id"] = rest
            elif row["entity"] == "task":
                parts["task_id"] = rest
            else:
                task_id, role, unit_label = (rest.split("/", 2) + ["", ""])[:3]
                parts.update(task_id=task_id, role=role, unit_label=unit_label)
        out.append({**row, **parts})
    return out
