-- name: document_blob
SELECT sha256, size, media_type, backend, stored_at FROM document_blobs WHERE sha256 = $1;

-- name: insert_document_blob
INSERT INTO document_blobs (sha256, size, media_type, backend) VALUES ($1, $2, $3, $4)
ON CONFLICT (sha256) DO NOTHING
RETURNING sha256;

-- name: insert_document_chunk
INSERT INTO document_chunks (blob, n, data) VALUES ($1, $2, $3);

-- name: name_document_chunks
UPDATE document_chunks SET blob = $2 WHERE blob = $1;

-- name: drop_document_chunks
DELETE FROM document_chunks WHERE blob = $1;

-- name: document_chunk
SELECT data FROM document_chunks WHERE blob = $1 AND n = $2;

-- name: document_chunk_count
SELECT count(*) FROM document_chunks WHERE blob = $1;

-- name: insert_document_upload
INSERT INTO document_uploads (sha256, name, kind, actor, role, reason)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, at;

-- name: latest_document_upload
SELECT u.sha256, u.name, u.kind, u.actor, u.role, u.reason, u.at, b.size, b.media_type
FROM document_uploads u JOIN document_blobs b USING (sha256)
WHERE u.sha256 = $1
ORDER BY u.id DESC LIMIT 1;

-- name: document_uploads_of
SELECT u.sha256, u.name, u.kind, u.actor, u.role, u.reason, u.at
FROM document_uploads u WHERE u.sha256 = ANY($1::text[]) ORDER BY u.id;

-- name: all_document_blobs
SELECT sha256, size, media_type, backend FROM document_blobs ORDER BY sha256;

-- name: referenced_documents
SELECT DISTINCT ON (d->>'sha256') d->>'sha256' AS sha256, d->>'name' AS name
FROM events, jsonb_array_elements(data->'documents') AS d
WHERE type = 'DocumentsAttached'
ORDER BY d->>'sha256';

-- name: study_documents_attached
SELECT global_seq AS seq, data, actor, role, reason, recorded_at AS at
FROM events WHERE stream_id = $1 AND type = 'DocumentsAttached' ORDER BY version;
