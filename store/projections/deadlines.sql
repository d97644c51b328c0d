-- The `deadlines` projection: every clock of every study (written by `project_study`).

-- name: deadline_gauges
-- Open clocks, and those past their day (even before the workflow's timer recorded it).
SELECT count(*) FILTER (WHERE waiting) AS open,
       count(*) FILTER (WHERE waiting AND (status = 'overdue' OR due_on < current_date))
           AS overdue
FROM deadlines;

-- name: clear_deadlines
DELETE FROM deadlines;
