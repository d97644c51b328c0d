-- iso_date (migration 030) in PL/pgSQL: same rule, cheaper to call from a generated column.
-- A stored generated column's expression is prepared again at every execution of an UPDATE or
-- INSERT, and a SQL function in it is inlined then, its body parsed and analysed anew: five
-- iso_date columns of `studies` (and one of `participants`) did so at every append. Measured on
-- the server alone, an update of a study's row: 175-195 us with the SQL function, 100-150 us
-- with this one (a PL/pgSQL function is compiled once per session). STRICT: a NULL (most
-- dates of a study not yet reached) does not call it at all.
CREATE OR REPLACE FUNCTION iso_date(t text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF t ~ '^\d{4}-\d{2}-\d{2}$' THEN
        RETURN make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int);
    END IF;
    RETURN NULL;
END $$;
