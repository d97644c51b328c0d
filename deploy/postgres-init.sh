#!/bin/sh
# First start of the PostgreSQL volume: the application's role, with its password. The schema
# owner (POSTGRES_USER) runs the migrations, which grant this role INSERT and SELECT only on
# the audit record (store/migrations/009_app_role.sql).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE studyflow_app LOGIN PASSWORD '${STUDYFLOW_APP_PASSWORD}';
SQL
