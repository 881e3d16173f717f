-- Analyst views in plan.duckdb, built on the tables of schemas/*.schema.json.
-- Each statement ends with a semicolon on its own line; store.py runs them in order.

CREATE VIEW task_breakdown AS
SELECT t.doc_id, t.seq, t.task_id,
       CASE n.level
           -- A table row: its category's numbering (when it has one) and the row's own.
           WHEN 0 THEN CASE WHEN n.kind = 'category' THEN concat(n.label, t.label) ELSE t.label END
           WHEN 4 THEN concat(g.label, c.label, p.label, n.label)
           WHEN 3 THEN concat(c.label, p.label, n.label)
           WHEN 2 THEN concat(p.label, n.label)
           ELSE n.label END AS numbering,
       t.title,
       string_agg(a.unit_label, '、' ORDER BY a.position) FILTER (WHERE a.role = 'lead') AS lead_units,
       string_agg(a.unit_label, '、' ORDER BY a.position) FILTER (WHERE a.role = 'co') AS co_units,
       string_agg(a.unit_label, '、' ORDER BY a.position) FILTER (WHERE a.role = 'responsible') AS responsible_units,
       string_agg(a.unit_label, '、' ORDER BY a.position) FILTER (WHERE a.role = 'guide') AS guide_units
FROM tasks t
JOIN sections n ON n.doc_id = t.doc_id AND n.section_id = t.section_id
LEFT JOIN sections p ON p.doc_id = n.doc_id AND p.section_id = n.parent_id
LEFT JOIN sections c ON c.doc_id = p.doc_id AND c.section_id = p.parent_id
LEFT JOIN sections g ON g.doc_id = c.doc_id AND g.section_id = c.parent_id
LEFT JOIN assignments a ON a.doc_id = t.doc_id AND a.task_id = t.task_id
GROUP BY ALL
ORDER BY t.doc_id, t.seq;

COMMENT ON VIEW task_breakdown IS '任务分解表 / Task breakdown: one row per task with its printed numbering (e.g. 六、（七）7.), title, and lead, co-operating, responsible and guiding units joined by 、 in printed order.';

CREATE VIEW unit_workload AS
WITH per_notice AS (
    SELECT coalesce(a.unit_id, 'unresolved:' || a.unit_label) AS unit_key,
           t.doc_id,
           -- The body's chapter numbers in numeric order, then the parts of the attachments (A1.3: chapter 三 of
           -- attachment 1; A1.T1: its first table; A1: its text outside any chapter).
           array_to_string(list_concat(
               CAST(coalesce(list_sort(list_distinct(list(TRY_CAST(split_part(t.section_id, '.', 1) AS INTEGER))
                                                     FILTER (WHERE t.section_id NOT LIKE 'A%'))), []) AS VARCHAR[]),
               coalesce(list_sort(list_distinct(list(regexp_extract(t.section_id, '^(A[0-9]+\.)*(T[0-9]+|[0-9]+)|^A[0-9]+(\.A[0-9]+)*', 0))
                                                FILTER (WHERE t.section_id LIKE 'A%'))), []::VARCHAR[])), ',') AS chapters
    FROM assignments a
    JOIN tasks t ON t.doc_id = a.doc_id AND t.task_id = a.task_id
    GROUP BY ALL
),
chapters AS (
    -- Chapter numbers mean nothing across notices: with several notices in the release, each notice's
    -- chapters follow its doc_id ("doc-a: 2,3; doc-b: 1").
    SELECT unit_key,
           CASE WHEN (SELECT count(*) FROM documents) > 1
                THEN string_agg(doc_id || ': ' || chapters, '; ' ORDER BY doc_id)
                ELSE min(chapters) END AS chapters
    FROM per_notice
    GROUP BY unit_key
)
SELECT coalesce(a.unit_id, 'unresolved:' || a.unit_label) AS unit_key,
       a.unit_id,
       coalesce(u.name, min(a.unit_label)) AS name,
       u.full_name,
       u.name_en,
       u.category,
       count(DISTINCT a.doc_id || '/' || a.task_id) FILTER (WHERE a.role = 'lead') AS tasks_led,
       count(DISTINCT a.doc_id || '/' || a.task_id) FILTER (WHERE a.role = 'co') AS tasks_co,
       count(DISTINCT a.doc_id || '/' || a.task_id) FILTER (WHERE a.role = 'responsible') AS tasks_responsible,
       count(DISTINCT a.doc_id || '/' || a.task_id) FILTER (WHERE a.role = 'guide') AS tasks_guided,
       count(DISTINCT a.doc_id || '/' || a.task_id) AS tasks_total,
       ch.chapters
FROM assignments a
JOIN chapters ch ON ch.unit_key = coalesce(a.unit_id, 'unresolved:' || a.unit_label)
LEFT JOIN units u ON u.unit_id = a.unit_id
GROUP BY coalesce(a.unit_id, 'unresolved:' || a.unit_label), a.unit_id, u.name, u.full_name, u.name_en, u.category,
         ch.chapters
-- Who carries most: every role counts, then leading breaks ties.
ORDER BY tasks_total DESC, tasks_led DESC, unit_key;

COMMENT ON VIEW unit_workload IS '单位任务量 / Unit workload: per registry unit (or unresolved printed label), the tasks it leads, co-operates on, is responsible for and guides, ordered by all its tasks (who carries most), and the chapters involved (the body''s chapter numbers, then A1.3, A1.T1 for an attachment''s chapter or table; each notice''s after its doc_id when the release holds several).';

CREATE VIEW drafting_commitments AS
SELECT c.doc_id, c.citation_id, c.title AS document_title, c.issuer_prefix,
       c.task_id, b.numbering, b.title AS task_title, b.lead_units, c.line
FROM citations c
LEFT JOIN task_breakdown b ON b.doc_id = c.doc_id AND b.task_id = c.task_id
WHERE c.action = 'draft'
ORDER BY c.doc_id, c.line, c.citation_id;

COMMENT ON VIEW drafting_commitments IS '拟制定文件 / Drafting commitments: documents the plan commits units to draft (制定, 出台, 修订…), with their task and lead units.';

CREATE VIEW ledger AS
SELECT coalesce(a.unit_id, 'unresolved:' || a.unit_label) AS unit_key,
       a.unit_id,
       coalesce(u.name, a.unit_label) AS unit_name,
       a.unit_label,
       a.role,
       t.due_date,
       t.deadline,
       t.deadline_kind,
       t.doc_id,
       d.title AS notice_title,
       d.issuer,
       t.task_id,
       b.numbering,
       t.title AS task_title,
       t.text AS task_text
FROM assignments a
JOIN tasks t ON t.doc_id = a.doc_id AND t.task_id = a.task_id
JOIN documents d ON d.doc_id = t.doc_id
LEFT JOIN task_breakdown b ON b.doc_id = t.doc_id AND b.task_id = t.task_id
LEFT JOIN units u ON u.unit_id = a.unit_id
ORDER BY unit_key, t.due_date NULLS LAST, t.doc_id, t.seq, a.role, a.position;

COMMENT ON VIEW ledger IS '督查台账 / Supervision ledger: one row per unit and task it takes part in, the unit''s tasks ordered by due date (tasks without one last), with the role, the deadline as printed and its kind, and the notice.';
