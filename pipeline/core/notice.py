"""One notice file -> rows for every published table (plain dicts in schema column order)."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pipeline.core.document import Document
from pipeline.core.findings import Finding
from pipeline.core.lines import count_lines
from pipeline.core.outline import Outline, Task, parse_document
from pipeline.core.readers import read_document
from pipeline.core.sentences import is_collective
from pipeline.core.registry import NATIONAL, Resolution, UnitRegistry

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def doc_id_from_filename(file_name: str) -> str:
    """``Taizhou 2008 (amended).TXT`` → ``taizhou-2008-amended``; never a path, never empty."""
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    ascii_only = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    slug = _SLUG_UNSAFE.sub("-", ascii_only).strip("-")[:64].strip("-")
    if not slug:
        digest = hashlib.sha256(file_name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        slug = f"doc-{digest}"
    return slug


def doc_id_from_path(relative: str) -> str:
    """The doc_id of a notice without a sidecar id: from its path relative to the sources directory,
    folders included (``2009/taizhou.txt`` → ``2009-taizhou``)."""
    return doc_id_from_filename(relative.replace("\\", "/").replace("/", "-"))


@dataclass
class NoticeRows:
    doc_id: str
    tables: dict[str, list[dict]]
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]


def parse_notice(data: bytes, file_name: str, registry: UnitRegistry, doc_id: str | None = None,
                 jurisdiction: str | None = None) -> NoticeRows:
    """Rows of every table for one notice. ``jurisdiction`` (from a sidecar) overrides the one read
    from the issuer; a notice of unknown jurisdiction resolves against the national units only,
    so that a city's 市财政局 is never taken for another city's."""
    return parse_notice_document(read_document(data, file_name), data, registry, doc_id, jurisdiction)


def parse_notice_document(document: Document, data: bytes, registry: UnitRegistry, doc_id: str | None = None,
                          jurisdiction: str | None = None) -> NoticeRows:
    """Rows of every table for a notice already read into a Document (``data``: the file's bytes)."""
    file_name = document.file
    outline = parse_document(document)
    doc_id = doc_id or doc_id_from_filename(file_name)
    sha = hashlib.sha256(data).hexdigest()
    findings = list(document.findings) + list(outline.findings)
    jurisdiction = jurisdiction or registry.jurisdiction_of(outline.header.issuer)
    assignments = _assignments(outline, registry, findings, jurisdiction or NATIONAL, doc_id, sha)
    findings.sort(key=lambda f: (f.line or 0, f.kind, f.value or ""))
    provenance = {"source_sha256": sha}
    header = outline.header
    documents = [{
        "doc_id": doc_id, "title": header.title, "notice_title": header.notice_title,
        "doc_number": header.doc_number, "addressees": header.addressees, "notice_body": header.notice_body,
        "issuer": header.issuer, "drafted_by": header.drafted_by, "jurisdiction": jurisdiction,
        "issue_date": header.issue_date, "period_start": header.period_start, "period_end": header.period_end,
        "preamble": header.preamble, "source_file": file_name, "source_format": document.format,
        "source_sha256": sha, "rendered_sha256": hashlib.sha256(document.text.encode("utf-8")).hexdigest(),
        "source_encoding": document.encoding, "source_bytes": len(data),
        "source_lines": count_lines(document.text),
    }]
    sections = [{
        "doc_id": doc_id, "section_id": node.section_id, "parent_id": node.parent_id, "level": node.level,
        "kind": node.kind_name, "ordinal": node.ordinal, "label": node.label, "heading": node.heading,
        "body": "\n".join(node.body) or None, "line_start": node.line_start, "line_end": node.line_end,
        **provenance,
    } for node in outline.nodes]
    tasks = [{
        "doc_id": doc_id, "task_id": task.task_id, "section_id": task.node.section_id, "seq": task.seq,
        "label": task.node.label if task.label is None else task.label,
        "title": task.node.heading if task.title is None else task.title, "text": task.text,
        "clause": task.clause, "open_ended": task.open_ended,
        "deadline": task.deadline, "due_date": task.due_date, "deadline_kind": task.deadline_kind,
        "line_start": task.line_start, "line_end": task.line_end,
        "table_id": task.table_id, "table_row": task.table_row, **provenance,
    } for task in outline.tasks]
    finding_rows = [{
        "doc_id": doc_id, "line": f.line, "kind": f.kind, "severity": f.severity, "value": f.value,
        "message": f.message, **provenance,
    } for f in findings]
    issuers = [{"doc_id": doc_id, "position": position, "issuer": issuer, "line": line, **provenance}
               for position, (issuer, line) in enumerate(header.issuers, start=1)]
    attachments = [{
        "doc_id": doc_id, "listed_in": listed.owner, "ordinal": listed.ordinal, "title": listed.title,
        "line": listed.line, **provenance,
    } for listed in outline.attachments]
    tables = {"documents": documents, "issuers": issuers, "sections": sections, "tasks": tasks,
              "assignments": assignments, "findings": finding_rows, "attachments": attachments}
    # -- citations (issue 5): every 《…》 title, see pipeline/core/citations.py --
    from pipeline.core.citations import citation_rows
    tables["citations"] = citation_rows(document.text, outline, doc_id, sha)
    # -- end citations --
    return NoticeRows(doc_id, tables, findings)


def _assignments(outline: Outline, registry: UnitRegistry, findings: list[Finding], jurisdiction: str,
                 doc_id: str, sha: str) -> list[dict]:
    rows = []
    on = outline.header.issue_date
    # Within one notice the date and jurisdiction are fixed, so a label resolves the same way each time.
    resolutions: dict[str, Resolution] = {}
    for task in outline.tasks:
        positions: dict[str, int] = {}
        seen: set[str] = set()
        task_id = task.task_id
        for unit_line, label, role in _readings(task):
                position = positions[role] = positions.get(role, 0) + 1
                resolved = resolutions.get(label)
                if resolved is None:
                    resolved = resolutions[label] = registry.resolve(label, on, jurisdiction=jurisdiction)
                unit_id = resolved.unit_id
                if unit_id is None:
                    findings.append(Finding(unit_line.line, "unresolved_unit",
                                            f"unit {label} is in neither the unit registry nor its aliases", label))
                elif resolved.via_alias is not None:
                    findings.append(Finding(unit_line.line, "alias_used",
                                            f"{label} read as {unit_id}: {resolved.via_alias}", label))
                identity = unit_id or label
                if identity in seen:
                    findings.append(Finding(unit_line.line, "unit_repeated_in_task",
                                            f"{label} is printed twice in task {task_id}", label))
                seen.add(identity)
                rows.append({"doc_id": doc_id, "task_id": task_id, "role": role,
                             "role_label": unit_line.role_label, "position": position,
                             "unit_label": label, "unit_id": unit_id, "line": unit_line.line,
                             "table_column": unit_line.column, "source_sha256": sha})
    return rows


def _readings(task: Task):
    """(unit line, printed unit, role) in printed order. Under a first-listed convention the first
    responsible unit leads and the other responsible units co-operate; a collective never leads, so
    a clause that opens with one (各有关部门和单位…负责) stays responsible throughout."""
    responsible = [(unit_line, label) for unit_line in task.unit_lines if unit_line.role == "responsible"
                   for label in unit_line.units]
    converts = task.first_listed and bool(responsible) and not is_collective(responsible[0][1])
    first = True
    for unit_line in task.unit_lines:
        if unit_line.role is None:
            continue  # an unknown label is an error finding; nothing is published
        for label in unit_line.units:
            role = unit_line.role
            if role == "responsible" and converts:
                role, first = ("lead" if first else "co"), False
            yield unit_line, label, role
