"""The change log between two releases: what an amended notice changed, row by row.

Pure: takes the tables of two releases (the shape of ``NoticeRows.tables``: table
name -> list of row dicts, possibly several documents) and returns change rows
``entity, change, old_id, new_id, detail``, all strings. No Dagster, no file I/O.

How nodes are matched (per doc_id, sections and tasks separately):

1. same id and same content (sections: level, heading, body; tasks: title, text)
   -> unchanged;
2. identical content under another id -> ``renumbered`` (deleting 四（七） turns
   四（八） into 四（七）: one ``removed`` and one ``renumbered``, and every child of
   a renumbered section is renumbered too, 3.6.2 -> 3.5.2);
3. similar content (character similarity >= SIMILARITY, same level; the best
   pairs first, the same id preferred on ties, then document order; each node
   compared only with a bounded set of candidates: its rank neighbours among
   the unmatched nodes, the node with its id, and those sharing the most rare
   shingles with it, so the cost stays linear, see matching.py)
   -> ``renumbered`` when the id moved, plus ``text_changed``;
4. the same id for whatever is left -> ``text_changed`` (a rewrite in place);
5. the rest is ``removed`` or ``added``.

A node that moved and was edited gives two rows, ``renumbered`` then
``text_changed``, so each row says one thing and the log can be filtered by kind.

Task texts include the printed item numbers (``2.建立廉情测评办法。…``); those are
stripped before comparing, so renumbering an item never reads as a text edit.

Units: per matched task and role, the printed unit labels are compared as
multisets. A unit that joins or leaves gives an ``assignment`` row (id
``task_id/role/unit_label``) and the task one ``units_changed`` row listing all of
its unit changes. A label printed more than once in one task and role is one
assignment per printing: the n-th printing's id ends in ``#n`` (``4.7/co/市纪委#2``;
the first has no suffix), and the last printings are the ones that join or leave.
Counting only equal labels keeps the id stable when other units are added before it. Positions are ignored: a unit inserted at the head of a list
shifts the others, which is not a change; a reordering alone is not reported.
The same label resolving to another unit_id (registry edited, issue date moved)
is an ``assignment`` ``metadata_changed`` row and does not touch the task.
A removed or added task brings ``removed``/``added`` rows for all its units.
A matched task whose deadline as printed changed (added, dropped or reworded) gives one
``deadline_changed`` row, ``deadline: old → new``, whatever else changed.

Documents: ``metadata_changed`` per changed header field. A document that is new
in the later release gives one ``document added`` row (not a row for each of its
sections), a dropped one one ``document removed`` row. The first release (empty
``old``) has an empty change log.

Ignored everywhere: provenance (source_*), line numbers, task ``seq``, the
printed label of a node whose id did not move, role_label and positions.

Ids: as specified, without the doc_id while both releases hold one document; with
several documents, section, task and assignment ids are qualified as
``doc_id/section_id`` (``doc_id/task_id/role/unit_label``) so rows stay unambiguous.
"""
from __future__ import annotations

from pipeline.changes.log import compute_changes
from pipeline.changes.textdiff import text_diff
from pipeline.changes.vocabulary import CHANGE_COLUMNS, CHANGES, ENTITIES
from pipeline.render.changes_table import display_width, format_changes_table

__all__ = ["CHANGE_COLUMNS", "CHANGES", "ENTITIES", "compute_changes", "display_width", "format_changes_table",
           "text_diff"]
