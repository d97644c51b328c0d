-- Who may call (tokens), who hears of what (people and their preferences), and the HTTP answers
-- kept for idempotent retries (store/access.py). Not projections of the events.

-- name: insert_token
INSERT INTO tokens (token_hash, actor, role, expires_at) VALUES ($1, $2, $3, $4);

-- name: resolve_token
SELECT actor, role FROM tokens
WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());

-- name: revoke_token
UPDATE tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL;

-- name: list_tokens
SELECT token_hash, actor, role, created_at, expires_at, revoked_at FROM tokens
ORDER BY created_at;

-- name: revoke_token_by_id
-- Only one may match: a prefix matching several is refused by the caller (and rolled back).
UPDATE tokens SET revoked_at = now()
WHERE token_hash LIKE $1 AND revoked_at IS NULL
RETURNING actor, role;

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
