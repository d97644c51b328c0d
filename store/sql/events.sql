-- The event store (store/eventstore.py): the append-only, hash-chained `events` table.

-- name: events_by_keys
SELECT * FROM events WHERE idempotency_key = ANY($1::text[]) ORDER BY global_seq;

-- name: append_batch
-- the read models arrive as JSON text, encoded once by the caller (bench/append.py)
SELECT duplicate, (event).* FROM append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                           $11::text::jsonb, $12::text::jsonb, $13::text::jsonb);

-- name: append_batch_replying
-- The append, and the answers its commands' callers keep for their retries ($14-$19: actor,
-- key, status, the ids created as JSON text, first event index and count per answer) in the
-- same statement: each the study's view, then `seq` and `seqs` of its events, then the ids
-- (store.models.command_answer shapes the same in Python).
WITH appended AS (
    SELECT duplicate, (event).* FROM append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                                                  $11::text::jsonb, $12::text::jsonb,
                                                  $13::text::jsonb)
), numbered AS (
    SELECT global_seq, row_number() OVER (ORDER BY version) - 1 AS i FROM appended
), replied AS (
    INSERT INTO idempotency (actor, key, status, body)
    SELECT r.actor, r.key, r.status,
           $11::text::jsonb || (SELECT jsonb_build_object(
                                    'seq', max(n.global_seq),
                                    'seqs', coalesce(jsonb_agg(n.global_seq ORDER BY n.i),
                                                     '[]'::jsonb))
                                FROM numbered n WHERE n.i >= r.first AND n.i < r.first + r.count)
               || r.extra::jsonb
    FROM unnest($14::text[], $15::text[], $16::integer[], $17::text[], $18::integer[],
                $19::integer[]) AS r(actor, key, status, extra, first, count)
    ON CONFLICT (actor, key) DO NOTHING
)
SELECT * FROM appended;

-- name: read_stream
SELECT * FROM events WHERE stream_id = $1 ORDER BY version;

-- name: read_stream_without
-- A stream less some types (a large study's page: its own facts, not its participants')
SELECT * FROM events WHERE stream_id = $1 AND NOT (type = ANY ($2::text[])) ORDER BY version;

-- name: read_stream_latest
-- The latest `$3` events of a stream, newest first, less some types (`{}`: none left out)
SELECT * FROM events WHERE stream_id = $1 AND NOT (type = ANY ($2::text[]))
ORDER BY version DESC LIMIT $3;

-- name: all_events_by_stream
SELECT * FROM events ORDER BY stream_id, version;

-- name: events_after
SELECT * FROM events WHERE global_seq > $1 AND ($2::text IS NULL OR stream_id = $2)
ORDER BY global_seq LIMIT $3;

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

-- name: study_streams
-- Streams that are studies (operations and checkpoints aside), oldest first.
SELECT stream_id FROM events WHERE version = 1 AND type = 'StudyCreated' ORDER BY global_seq;
