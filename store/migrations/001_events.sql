-- The audit record: append-only, hash-chained per stream (DESIGN.md "The event store").
CREATE TABLE events (
    global_seq      bigserial   NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    version         integer     NOT NULL CHECK (version > 0),
    type            text        NOT NULL,
    data            jsonb       NOT NULL,
    actor           text        NOT NULL,
    role            text        NOT NULL,
    reason          text        NOT NULL,
    recorded_at     timestamptz NOT NULL,
    idempotency_key text        NOT NULL UNIQUE,
    prev_hash       char(64)    NOT NULL,
    hash            char(64)    NOT NULL,
    PRIMARY KEY (stream_id, version)
);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
