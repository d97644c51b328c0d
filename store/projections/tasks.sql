-- The `tasks` projection: what each role must do on each study (written by `project_tasks`).

-- name: study_tasks_for_role
-- with the clock of its deadline: a task is read from its stable parts (api/words.task)
SELECT t.study_id, s.title AS study_title, t.kind, t.title, t.due_on, t.deadline, t.command,
       NULL::text AS participant, (t.overdue OR t.due_on < current_date) AS overdue,
       dl.clock
FROM tasks t JOIN studies s ON s.id = t.study_id
LEFT JOIN deadlines dl ON dl.study_id = t.study_id AND dl.name = t.deadline
WHERE t.role = $1
ORDER BY overdue DESC, t.due_on NULLS LAST, t.study_id, t.title
LIMIT $2;

-- name: clear_tasks
DELETE FROM tasks;
