-- People who sign in (issue 17): local accounts (argon2 password hash, TOTP second factor,
-- lock-out) and directory accounts (OpenID Connect subject); server-side web sessions; the
-- pending OpenID Connect requests; personal tokens (owner, label, scopes, expiry).
CREATE TABLE accounts (
    actor           text PRIMARY KEY,           -- the name events carry
    role            text        NOT NULL,
    printed_name    text        NOT NULL,       -- the signature manifestation's name
    email           text,
    kind            text        NOT NULL CHECK (kind IN ('local', 'oidc')),
    password_hash   text,                        -- argon2id (local accounts)
    password_one_time boolean   NOT NULL DEFAULT false,  -- to be changed at the next sign-in
    password_changed_at timestamptz,
    totp_secret     text,                        -- base32; NULL until enrolled
    totp_last_step  bigint      NOT NULL DEFAULT 0,  -- a code is accepted once
    failed_attempts integer     NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    disabled_at     timestamptz,
    disabled_reason text,
    oidc_issuer     text,
    oidc_subject    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz,
    UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE web_sessions (
    id_hash      char(64) PRIMARY KEY,           -- sha256 of the cookie's value
    actor        text        NOT NULL,
    role         text        NOT NULL,
    method       text        NOT NULL,           -- password | oidc | token
    stage        text        NOT NULL,           -- active | second_factor | enrol | new_password
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,           -- the absolute timeout
    auth_time    timestamptz NOT NULL,           -- the last authentication
    data         jsonb       NOT NULL DEFAULT '{}',
    revoked_at   timestamptz
);
CREATE INDEX web_sessions_actor ON web_sessions (actor) WHERE revoked_at IS NULL;

CREATE TABLE oidc_requests (
    state         text PRIMARY KEY,
    browser       char(64)    NOT NULL,          -- sha256 of the cookie that started it
    nonce         text        NOT NULL,
    code_verifier text        NOT NULL,
    purpose       text        NOT NULL,          -- login | sign
    payload       jsonb       NOT NULL DEFAULT '{}',  -- the command awaiting its signature
    created_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
ALTER TABLE tokens ADD COLUMN label text;
ALTER TABLE tokens ADD COLUMN personal boolean NOT NULL DEFAULT false;
