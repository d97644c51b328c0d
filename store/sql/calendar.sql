-- Calendar feeds (store/calendar.py): who each secret feed URL serves, and what it shows.

-- name: live_feed
SELECT id, actor, role, scope, created_at FROM calendar_feeds
WHERE actor = $1 AND role = $2 AND scope = $3 AND revoked_at IS NULL;

-- name: insert_feed
-- Two first requests at once: the second finds the first's feed.
INSERT INTO calendar_feeds (id, actor, role, scope) VALUES ($1, $2, $3, $4)
ON CONFLICT (actor, role, scope) WHERE revoked_at IS NULL DO NOTHING
RETURNING id, actor, role, scope, created_at;

-- name: revoke_feeds
UPDATE calendar_feeds SET revoked_at = now()
WHERE actor = $1 AND role = $2 AND ($3::text IS NULL OR scope = $3) AND revoked_at IS NULL
RETURNING id, scope;

-- name: feed_by_id
-- A feed that serves: live (revoke_feeds stops it).
UPDATE calendar_feeds SET last_read_at = now()
WHERE id = $1 AND revoked_at IS NULL
RETURNING id, actor, role, scope;

-- name: open_deadlines
-- Every clock someone must still act on, with its study: for role $1 (NULL: every role), of the
-- studies naming $2 as their investigator when $2 is given.
SELECT d.study_id, s.title AS study_title, d.name, d.label, d.clock, d.role, d.starts_on, d.due_on,
       d.status, (d.status = 'overdue' OR d.due_on < current_date) AS overdue
FROM deadlines d JOIN studies s ON s.id = d.study_id
WHERE d.waiting AND ($1::text IS NULL OR d.role = $1)
  AND ($2::text IS NULL OR s.investigator = $2)
ORDER BY d.due_on, d.study_id, d.name;

-- name: study_investigators
SELECT id, investigator FROM studies WHERE id = ANY($1::text[]);
