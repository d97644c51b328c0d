-- The application connects as `studyflow_app`, which may only INSERT and SELECT the audit record
-- (21 CFR 11.10(e): changes never obscure what was recorded). Migrations run as the owner.
-- In production give it a password: ALTER ROLE studyflow_app PASSWORD '...'.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'studyflow_app') THEN
        CREATE ROLE studyflow_app LOGIN;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO studyflow_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO studyflow_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO studyflow_app;
REVOKE ALL ON events, schema_migrations FROM studyflow_app;
GRANT SELECT, INSERT ON events TO studyflow_app;
GRANT SELECT ON schema_migrations TO studyflow_app;
-- tables added by later migrations are read models unless a migration says otherwise
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO studyflow_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO studyflow_app;
