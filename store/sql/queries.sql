-- name: events_by_keys
SELECT * FROM events WHERE idempotency_key = ANY($1::text[]) ORDER BY global_seq;

-- name: append_batch
SELECT duplicate, (event).* FROM append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb,
                           $13::jsonb);

-- name: read_stream
SELECT * FROM events WHERE stream_id = $1 ORDER BY version;

-- name: all_events_by_stream
SELECT * FROM events ORDER BY stream_id, version;

-- name: events_after
SELECT * FROM events WHERE global_seq > $1 AND ($2::text IS NULL OR stream_id = $2)
ORDER BY global_seq LIMIT $3;

-- name: list_studies
-- Overdue first, then by next due date: the order of the studies_urgency index.
SELECT id, title, category, state, investigator, version, next_due_on,
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

-- name: participants
SELECT view FROM participants WHERE study_id = $1 ORDER BY code;

-- name: participants_page
SELECT view FROM participants
WHERE study_id = $1 AND ($2::text IS NULL OR status = $2) AND code > $3
ORDER BY code LIMIT $4;

-- name: tasks_for_role
-- The study's tasks for the role, and for investigators one task per participant who must
-- consent again (a new major consent form, majority) or whose majority comes within 30 days.
SELECT * FROM (
    SELECT t.study_id, s.title AS study_title, t.kind, t.title, t.due_on, t.deadline, t.command,
           NULL::text AS participant, (t.overdue OR t.due_on < current_date) AS overdue
    FROM tasks t JOIN studies s ON s.id = t.study_id
    WHERE t.role = $1
    UNION ALL
    SELECT p.study_id, s.title, 'participant',
           p.code || ': ' || CASE WHEN p.status = 'needs_reconsent'
                                  THEN 'consent again (' || (p.view->>'reconsent_cause') || ')'
                                  ELSE 'consents in their own name at majority' END,
           (p.view->>'majority_on')::date, NULL, 'reconsent', p.code,
           coalesce((p.view->>'majority_on')::date < current_date, false)
    FROM participants p JOIN studies s ON s.id = p.study_id
    WHERE $1 = 'investigator'
      AND (p.status = 'needs_reconsent'
           OR (p.view->>'consent_by' = 'holders' AND p.status IN ('consented', 'included')
               AND (p.view->>'majority_on')::date <= current_date + 30))
) inbox
ORDER BY overdue DESC, due_on NULLS LAST, study_id, title
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

-- name: get_idempotent_many
SELECT key, status, body FROM idempotency WHERE actor = $1 AND key = ANY($2::text[]);

-- name: put_idempotent
INSERT INTO idempotency (actor, key, status, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (actor, key) DO NOTHING;

-- name: upsert_person
INSERT INTO people (actor, role, email, digest) VALUES ($1, $2, $3, $4)
ON CONFLICT (actor) DO UPDATE SET role = EXCLUDED.role, email = EXCLUDED.email,
                                  digest = EXCLUDED.digest
RETURNING actor, role, email, digest;

-- name: get_person
SELECT actor, role, email, digest FROM people WHERE actor = $1;

-- name: ensure_person
-- A token's holder becomes a person who can receive notifications (preferences kept).
INSERT INTO people (actor, role) VALUES ($1, $2)
ON CONFLICT (actor) DO UPDATE SET role = EXCLUDED.role;

-- name: undelivered_notifications
-- Notifications of a study written at or after seq $2 (one append) not yet sent on a channel.
SELECT n.id, n.study_id, n.role, n.kind, n.message, n.urgent, n.deadline, n.seq, n.created_at,
       s.title AS study_title, s.investigator
FROM notifications n JOIN studies s ON s.id = n.study_id
WHERE n.study_id = $1 AND n.seq = $2;

-- name: recipients
-- People who hold a role on a study: its investigator (by name), every coordinator and
-- regulatory affairs officer.
SELECT actor, role, email, digest FROM people
WHERE role = $1 AND (role <> 'investigator' OR actor = $2);

-- name: record_delivery
INSERT INTO deliveries (notification_id, recipient, channel) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: delivered
SELECT 1 FROM deliveries WHERE notification_id = $1 AND recipient = $2 AND channel = $3;

-- name: digest_people
SELECT actor, role, email, last_digest FROM people WHERE digest AND email IS NOT NULL;

-- name: digest_items
-- Routine notices for a person since their last digest.
SELECT n.id, n.study_id, s.title AS study_title, n.kind, n.message, n.created_at
FROM notifications n JOIN studies s ON s.id = n.study_id
WHERE n.id > $1 AND NOT n.urgent AND n.role = $2
  AND (n.role <> 'investigator' OR s.investigator = $3)
ORDER BY n.id;

-- name: mark_digest
UPDATE people SET last_digest = $2 WHERE actor = $1;

-- name: stream_head
SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1;

-- name: last_checkpoint_seq
SELECT coalesce((data->>'through_seq')::bigint, 0) FROM events
WHERE stream_id = $1 ORDER BY version DESC LIMIT 1;

-- name: heads_since
-- The head of every stream written after seq $1 (the last checkpoint), the checkpoints' own
-- stream ($2) aside.
SELECT DISTINCT ON (stream_id) stream_id, version, hash, global_seq FROM events
WHERE global_seq > $1 AND stream_id <> $2
ORDER BY stream_id, version DESC;

-- name: checkpoint_mismatch
-- The first head a checkpoint recorded that the table no longer holds as recorded.
SELECT h.key AS stream_id, (h.value->>'version')::integer AS version, e.global_seq,
       e.hash IS NULL AS missing, cp.recorded_at AS checkpoint_at
FROM events cp CROSS JOIN LATERAL jsonb_each(cp.data->'heads') AS h
LEFT JOIN events e ON e.stream_id = h.key AND e.version = (h.value->>'version')::integer
WHERE cp.stream_id = $1 AND e.hash IS DISTINCT FROM h.value->>'hash'
ORDER BY cp.version, h.key
LIMIT 1;

-- name: checkpoint_heads_count
SELECT count(*) FROM events c, jsonb_object_keys(c.data->'heads') WHERE c.stream_id = $1;

-- name: list_tokens
SELECT token_hash, actor, role, created_at, expires_at, revoked_at FROM tokens
ORDER BY created_at;

-- name: revoke_token_by_id
-- Only one may match: a prefix matching several is refused by the caller (and rolled back).
UPDATE tokens SET revoked_at = now()
WHERE token_hash LIKE $1 AND revoked_at IS NULL
RETURNING actor, role;

-- name: study_streams
-- Streams that are studies (operations and checkpoints aside), oldest first.
SELECT stream_id FROM events WHERE version = 1 AND type = 'StudyCreated' ORDER BY global_seq;

-- name: clear_read_models
DELETE FROM tasks; DELETE FROM participants; DELETE FROM deadlines; DELETE FROM studies;

-- name: project_study
SELECT project_study($1::jsonb, $2);

-- name: set_study_created_at
UPDATE studies SET created_at = $2 WHERE id = $1;

-- name: upsert_participants
INSERT INTO participants (study_id, code, status, consent_form_version, view)
SELECT $1, p->>'code', p->>'status', p->>'consent_form_version', p
FROM jsonb_array_elements($2::jsonb) AS p
ON CONFLICT (study_id, code) DO UPDATE SET
    status = EXCLUDED.status, consent_form_version = EXCLUDED.consent_form_version,
    view = EXCLUDED.view;
