-- name: events_by_keys
SELECT * FROM events WHERE idempotency_key = ANY($1::text[]) ORDER BY global_seq;

-- name: stream_head
SELECT version, hash FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1;

-- name: insert_event
INSERT INTO events (stream_id, version, type, data, actor, role, reason, recorded_at,
                    idempotency_key, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING *;

-- name: read_stream
SELECT * FROM events WHERE stream_id = $1 ORDER BY version;

-- name: all_events_by_stream
SELECT * FROM events ORDER BY stream_id, version;

-- name: events_after
SELECT * FROM events WHERE global_seq > $1 AND ($2::text IS NULL OR stream_id = $2)
ORDER BY global_seq LIMIT $3;

-- name: upsert_study
INSERT INTO studies (id, title, category, state, investigator, version, overdue, next_due_on,
                     view, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
ON CONFLICT (id) DO UPDATE SET
    title = EXCLUDED.title, category = EXCLUDED.category, state = EXCLUDED.state,
    investigator = EXCLUDED.investigator, version = EXCLUDED.version,
    overdue = EXCLUDED.overdue, next_due_on = EXCLUDED.next_due_on, view = EXCLUDED.view,
    updated_at = EXCLUDED.updated_at;

-- name: delete_study_deadlines
DELETE FROM deadlines WHERE study_id = $1;

-- name: insert_deadline
INSERT INTO deadlines (study_id, name, clock, label, role, starts_on, due_on, status, waiting,
                       closed_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: delete_study_tasks
DELETE FROM tasks WHERE study_id = $1;

-- name: insert_task
INSERT INTO tasks (study_id, role, kind, title, due_on, deadline, overdue)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: upsert_participant
INSERT INTO participants (study_id, code, status, consent_form_version, view)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (study_id, code) DO UPDATE SET
    status = EXCLUDED.status, consent_form_version = EXCLUDED.consent_form_version,
    view = EXCLUDED.view;

-- name: insert_notification
INSERT INTO notifications (study_id, role, kind, message, urgent, deadline, channel, seq,
                           created_at)
VALUES ($1, $2, $3, $4, $5, $6, 'in_app', $7, $8);

-- name: list_studies
-- Overdue first (a missed clock, or a waiting one past its day), then by next due date.
SELECT id, title, category, state, investigator, version, next_due_on,
       (overdue OR next_due_on < current_date) AS overdue, updated_at,
       count(*) OVER () AS total
FROM studies
WHERE ($1::text IS NULL OR state = $1)
  AND ($2::text IS NULL OR category = $2)
  AND ($3::boolean IS NULL OR (overdue OR coalesce(next_due_on < current_date, false)) = $3)
  AND ($4::text IS NULL OR lower(title) LIKE '%' || lower($4) || '%')
ORDER BY (overdue OR coalesce(next_due_on < current_date, false)) DESC,
         next_due_on ASC NULLS LAST, id
LIMIT $5 OFFSET $6;

-- name: count_by_state
SELECT state, count(*) AS n FROM studies GROUP BY state ORDER BY state;

-- name: get_study
SELECT view FROM studies WHERE id = $1;

-- name: study_exists
SELECT 1 FROM studies WHERE id = $1;

-- name: participants
SELECT view FROM participants WHERE study_id = $1 ORDER BY code;

-- name: tasks_for_role
SELECT t.study_id, s.title AS study_title, t.kind, t.title, t.due_on, t.deadline,
       (t.overdue OR t.due_on < current_date) AS overdue
FROM tasks t JOIN studies s ON s.id = t.study_id
WHERE t.role = $1
ORDER BY (t.overdue OR coalesce(t.due_on < current_date, false)) DESC, t.due_on NULLS LAST, t.id
LIMIT $2;

-- name: notifications
SELECT id, study_id, role, kind, message, urgent, deadline, channel, seq, created_at
FROM notifications
WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR study_id = $2)
ORDER BY id DESC LIMIT $3;

-- name: insert_token
INSERT INTO tokens (token_hash, actor, role, expires_at) VALUES ($1, $2, $3, $4);

-- name: resolve_token
SELECT actor, role FROM tokens
WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());

-- name: revoke_token
UPDATE tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL;

-- name: get_idempotent
SELECT status, body FROM idempotency WHERE actor = $1 AND key = $2;

-- name: put_idempotent
INSERT INTO idempotency (actor, key, status, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (actor, key) DO NOTHING;
