-- Calendar feeds (issue 20): each person's secret feed URL, one live per person, role and scope
-- (`person`: the caller's own deadlines and tasks; `unit`: every open deadline, for managers).
-- The URL carries the feed's id and an HMAC of it under SECRET_KEY: the database alone cannot
-- give a working URL. Revoking one stops it at once; the next request gets a new id.
CREATE TABLE calendar_feeds (
    id         text PRIMARY KEY,
    actor      text        NOT NULL,
    role       text        NOT NULL,
    scope      text        NOT NULL CHECK (scope IN ('person', 'unit')),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    last_read_at timestamptz
);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (actor, role, scope)
    WHERE revoked_at IS NULL;
