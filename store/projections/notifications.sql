-- The `notifications` projection (in-app notices, inserted by `append_batch`), and what was
-- delivered of them, to whom. Who receives a notice is domain/inbox.py's rule: these queries
-- only filter by the person it names.

-- name: notifications
-- With the study's title and the clock's due date: a notice is read from these parts.
SELECT n.id, n.study_id, n.role, n.kind, n.message, n.parts, n.urgent, n.deadline, n.channel,
       n.seq, n.created_at, s.title AS study_title, dl.clock, dl.due_on
FROM notifications n LEFT JOIN studies s ON s.id = n.study_id
LEFT JOIN deadlines dl ON dl.study_id = n.study_id AND dl.name = n.deadline
WHERE ($1::text IS NULL OR n.role = $1) AND ($2::text IS NULL OR n.study_id = $2)
ORDER BY n.id DESC LIMIT $3;

-- name: undelivered_notifications
-- Notifications of a study written with one append (at seq $2).
SELECT n.id, n.study_id, n.role, n.kind, n.message, n.parts, n.urgent, n.deadline, n.seq,
       n.created_at, s.title AS study_title, s.investigator, d.clock, d.due_on
FROM notifications n JOIN studies s ON s.id = n.study_id
LEFT JOIN deadlines d ON d.study_id = n.study_id AND d.name = n.deadline
WHERE n.study_id = $1 AND n.seq = $2;

-- name: people_with_role
-- People holding role $1; only the one named $2 when $2 is given.
SELECT actor, role, email, digest FROM people
WHERE role = $1 AND ($2::text IS NULL OR actor = $2)
ORDER BY actor;

-- name: record_delivery
INSERT INTO deliveries (notification_id, recipient, channel) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: delivered
SELECT 1 FROM deliveries WHERE notification_id = $1 AND recipient = $2 AND channel = $3;

-- name: digest_people
SELECT actor, role, email, last_digest FROM people WHERE digest AND email IS NOT NULL;

-- name: digest_items
-- Routine notices for role $2 since notice $1, only of the studies whose investigator is $3
-- when $3 is given.
SELECT n.id, n.study_id, s.title AS study_title, n.kind, n.message, n.parts, n.deadline,
       n.created_at
FROM notifications n JOIN studies s ON s.id = n.study_id
WHERE n.id > $1 AND NOT n.urgent AND n.role = $2
  AND ($3::text IS NULL OR s.investigator = $3)
ORDER BY n.id;

-- name: mark_digest
UPDATE people SET last_digest = $2 WHERE actor = $1;

-- name: reminder_count
SELECT count(*) FROM notifications WHERE kind = 'reminder';

-- name: deliveries_by_channel
SELECT channel, count(*) AS n FROM deliveries WHERE channel <> 'read' GROUP BY channel;

-- name: inbox_notices
-- The notices role $1 receives (of the studies whose investigator is $2 when given), newest
-- first (older than notice $5 when given: the next page), each with whether person $3 has
-- read it (a 'read' row of deliveries).
SELECT n.id, n.study_id, s.title AS study_title, n.kind, n.message, n.parts, n.urgent,
       n.deadline, n.created_at, dl.clock, dl.due_on,
       EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id
               AND d.recipient = $3 AND d.channel = 'read') AS read
FROM notifications n JOIN studies s ON s.id = n.study_id
LEFT JOIN deadlines dl ON dl.study_id = n.study_id AND dl.name = n.deadline
WHERE n.role = $1 AND ($2::text IS NULL OR s.investigator = $2)
  AND ($5::bigint IS NULL OR n.id < $5)
ORDER BY n.id DESC LIMIT $4;

-- name: unread_count
-- Of the latest notices role $1 receives (of $2's studies when given: migration 046's
-- window), those person $3 has not read.
SELECT count(*) FROM recent_notices($1, $2) recent
WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = recent.id
                  AND d.recipient = $3 AND d.channel = 'read');

-- name: mark_all_read
-- The same window, read by person $3: one statement, however many there are.
INSERT INTO deliveries (notification_id, recipient, channel)
SELECT recent.id, $3, 'read' FROM recent_notices($1, $2) recent
ON CONFLICT DO NOTHING;
