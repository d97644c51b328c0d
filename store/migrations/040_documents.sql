-- Documents (issue 18): each file stored once under its SHA-256 (content-addressed); who
-- uploaded it, under which name and kind, and why, in document_uploads. The files' bytes live in
-- document_chunks (the default backend, no server beyond PostgreSQL) or in an S3-compatible
-- object store (DOCUMENT_BACKEND=s3), named in `backend`.
CREATE TABLE document_blobs (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       bigint NOT NULL CHECK (size > 0),
    media_type text NOT NULL,
    backend    text NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);

-- 1 MB chunks, in order. `blob` is the file's sha256, or `upload:<uuid>` while its upload runs
-- in one transaction: an upload cut off mid-way rolls back and leaves nothing.
CREATE TABLE document_chunks (
    blob text NOT NULL,
    n    integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (blob, n)
);
-- documents are mostly compressed already (PDF, DOCX, JPEG): no second compression
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE document_uploads (
    id       bigserial PRIMARY KEY,
    sha256   text NOT NULL REFERENCES document_blobs (sha256),
    name     text NOT NULL,
    kind     text NOT NULL,
    actor    text NOT NULL,
    role     text NOT NULL,
    reason   text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_uploads_sha256 ON document_uploads (sha256, id);
