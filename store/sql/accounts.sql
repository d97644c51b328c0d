-- People who sign in (store/accounts.py): local and directory accounts, web sessions, pending
-- OpenID Connect requests, personal tokens. Not projections of the events.

-- name: account_insert
INSERT INTO accounts (actor, role, printed_name, email, kind, password_hash, password_one_time,
                      password_changed_at, oidc_issuer, oidc_subject)
VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9)
RETURNING *;

-- name: account_get
SELECT * FROM accounts WHERE actor = $1;

-- name: account_by_subject
SELECT * FROM accounts WHERE oidc_issuer = $1 AND oidc_subject = $2;

-- name: account_list
SELECT * FROM accounts ORDER BY actor;

-- name: account_failed
-- One more failure; locked for $3 once $2 failures in a row are reached. Returns the row.
UPDATE accounts SET failed_attempts = failed_attempts + 1,
    locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + $3::interval
                        ELSE locked_until END
WHERE actor = $1 RETURNING *;

-- name: account_succeeded
UPDATE accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = now()
WHERE actor = $1;


-- name: account_set_password
UPDATE accounts SET password_hash = $2, password_one_time = $3, password_changed_at = now(),
    failed_attempts = 0, locked_until = NULL
WHERE actor = $1 RETURNING *;

-- name: account_set_totp
UPDATE accounts SET totp_secret = $2, totp_last_step = 0 WHERE actor = $1;

-- name: account_use_totp_step
-- A TOTP code is accepted once: the step must be later than the last one used.
UPDATE accounts SET totp_last_step = $2 WHERE actor = $1 AND totp_last_step < $2 RETURNING actor;

-- name: account_disable
UPDATE accounts SET disabled_at = now(), disabled_reason = $2
WHERE actor = $1 AND disabled_at IS NULL RETURNING *;

-- name: account_enable
UPDATE accounts SET disabled_at = NULL, disabled_reason = NULL, failed_attempts = 0,
    locked_until = NULL
WHERE actor = $1 RETURNING *;

-- name: account_set_role
UPDATE accounts SET role = $2 WHERE actor = $1 RETURNING *;

-- name: account_person
-- The account's person, for notifications (preferences kept).
INSERT INTO people (actor, role, email) VALUES ($1, $2, $3)
ON CONFLICT (actor) DO UPDATE SET role = EXCLUDED.role,
                                  email = coalesce(people.email, EXCLUDED.email);

-- name: session_insert
INSERT INTO web_sessions (id_hash, actor, role, method, stage, expires_at, auth_time, data)
VALUES ($1, $2, $3, $4, $5, $6, now(), $7);

-- name: session_get
SELECT * FROM web_sessions WHERE id_hash = $1 AND revoked_at IS NULL;

-- name: session_touch
UPDATE web_sessions SET last_seen_at = now() WHERE id_hash = $1;

-- name: session_stage
UPDATE web_sessions SET stage = $2, auth_time = now(), role = coalesce($3, role)
WHERE id_hash = $1 AND revoked_at IS NULL;

-- name: session_reauthenticated
UPDATE web_sessions SET auth_time = $2 WHERE id_hash = $1 AND revoked_at IS NULL;

-- name: session_revoke
UPDATE web_sessions SET revoked_at = now() WHERE id_hash = $1 AND revoked_at IS NULL;

-- name: session_revoke_all
UPDATE web_sessions SET revoked_at = now() WHERE actor = $1 AND revoked_at IS NULL;

-- name: session_list
SELECT id_hash, method, stage, created_at, last_seen_at, expires_at FROM web_sessions
WHERE actor = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC;

-- name: oidc_request_insert
INSERT INTO oidc_requests (state, browser, nonce, code_verifier, purpose, payload)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: oidc_request_take
-- A state is used once; those older than ten minutes are worth nothing.
DELETE FROM oidc_requests WHERE state = $1 OR created_at < now() - interval '10 minutes'
RETURNING *, created_at > now() - interval '10 minutes' AS fresh;

-- name: token_insert_personal
INSERT INTO tokens (token_hash, actor, role, expires_at, scopes, label, personal)
VALUES ($1, $2, $3, $4, $5, $6, true);

-- name: token_resolve_full
-- A token's holder, its scopes and age, and the printed name its signatures carry.
SELECT t.actor, t.role, t.scopes, t.created_at, t.expires_at,
       coalesce(a.printed_name, t.actor) AS printed_name, a.disabled_at
FROM tokens t LEFT JOIN accounts a ON a.actor = t.actor
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now());

-- name: token_list_own
SELECT substr(token_hash, 1, 12) AS token_id, label, role, scopes, created_at, expires_at,
       revoked_at, personal
FROM tokens WHERE actor = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
ORDER BY created_at DESC;

-- name: token_revoke_own
UPDATE tokens SET revoked_at = now()
WHERE actor = $1 AND token_hash LIKE $2 AND revoked_at IS NULL
RETURNING substr(token_hash, 1, 12) AS token_id, role;

-- name: token_revoke_all_own
UPDATE tokens SET revoked_at = now() WHERE actor = $1 AND revoked_at IS NULL;

-- name: session_set_data
UPDATE web_sessions SET data = $2 WHERE id_hash = $1 AND revoked_at IS NULL;
