-- The `tasks` projection: what each role must do on each study (written by `project_tasks`).

-- name: study_tasks_for_role
SELECT t.study_id, s.title AS study_title, t.kind, t.title, t.due_on, t.deadline, t.command,
       NULL::text AS participant, (t.overdue OR t.due_on < current_date) AS overdue
FROM tasks t JOIN studies s ON s.id = t.study_id
WHERE t.role = $1
ORDER BY overdue DESC, t.due_on NULLS LAST, t.study_id, t.title
LIMIT $2;

-- name: clear_tasks
DELETE FROM tasks;
