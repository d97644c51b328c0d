-- Bearer tokens (stored as sha256 hashes only) and HTTP idempotency records.
CREATE TABLE tokens (
    token_hash char(64) PRIMARY KEY,
    actor      text        NOT NULL,
    role       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz
);

CREATE TABLE idempotency (
    actor      text        NOT NULL,
    key        text        NOT NULL,
    status     integer     NOT NULL,
    body       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, key)
);
