"""The change log's ids split into doc_id, section_id, task_id, role and unit_label."""
from __future__ import annotations

from pipeline.changes.id_parts import with_id_parts


def _row(entity: str, old_id: str, new_id: str) -> dict:
    return {"entity": entity, "change": "x", "old_id": old_id, "new_id": new_id, "detail": "d"}


def _parts(rows: list[dict]) -> list[tuple]:
    return [(r["doc_id"], r["section_id"], r["task_id"], r["role"], r["unit_label"]) for r in rows]


def test_one_notice_ids_carry_no_doc_id():
    rows = with_id_parts([_row("section", "2.3", "2.4"), _row("task", "", "2.3.1"),
                          _row("assignment", "2.3/lead/市委宣传部", ""), _row("document", "plan", "plan")], ["plan"])
    assert _parts(rows) == [("plan", "2.4", "", "", ""), ("plan", "", "2.3.1", "", ""),
                            ("plan", "", "2.3", "lead", "市委宣传部"), ("plan", "", "", "", "")]


def test_several_notices_each_id_gives_its_doc_id_and_a_unit_label_may_hold_a_slash():
    rows = with_id_parts([_row("assignment", "", "plan-2/1.2/co/市农业/农村局"), _row("task", "plan/3", ""),
                          _row("document", "gone", ""), _row("section", "gone/1", "")], ["plan", "plan-2"])
    assert _parts(rows) == [("plan-2", "", "1.2", "co", "市农业/农村局"), ("plan", "", "3", "", ""),
                            ("gone", "", "", "", ""), ("gone", "1", "", "", "")]
