-- Who may call has changed: a token revoked, removed or its expiry moved; an account disabled,
-- enabled, renamed or given another role. Announced on the `studyflow_tokens` channel
-- (store/token_changes.py), at the commit: a web process that keeps resolved bearer tokens for
-- a few seconds (api/auth/cache.py) forgets them all at once (issue 19: a command's call costs
-- no round trip for its token, and a revoked token is refused at once all the same).
CREATE FUNCTION notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('studyflow_tokens', TG_TABLE_NAME);
    RETURN NULL;
END $$;

CREATE TRIGGER tokens_changed AFTER UPDATE OR DELETE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_token_change();

-- not its sign-ins (failed attempts, last sign-in): those change nothing a token resolves to
CREATE TRIGGER accounts_changed AFTER UPDATE OF disabled_at, role, printed_name OR DELETE OR TRUNCATE
    ON accounts FOR EACH STATEMENT EXECUTE FUNCTION notify_token_change();
