-- The `studies` projection: one row per study, its view as the workflow folded it. Written by
-- `project_study` (migrations 004, 006) in the append's transaction, with deadlines and tasks.

-- name: list_studies
-- Overdue first, then by next due date: the order of the studies_urgency index.
SELECT id, title, category, state, investigator, version, next_due_on,
       view->>'registration' AS registration,
       (overdue OR coalesce(next_due_on < current_date, false)) AS overdue, updated_at
FROM filtered_studies($1, $2, $3, $4) AS s
ORDER BY s.overdue DESC, s.next_due_on ASC NULLS LAST, s.id
LIMIT $5 OFFSET $6;

-- name: count_studies
SELECT count(*) FROM filtered_studies($1, $2, $3, $4);

-- name: count_by_state
SELECT state, count(*) AS n FROM studies GROUP BY state ORDER BY state;

-- name: get_study
SELECT view FROM studies WHERE id = $1;

-- name: study_exists
SELECT 1 FROM studies WHERE id = $1;

-- name: project_study
SELECT project_study($1::jsonb, $2);

-- name: set_study_created_at
UPDATE studies SET created_at = $2 WHERE id = $1;

-- name: clear_studies
DELETE FROM studies;
