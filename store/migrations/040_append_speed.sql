-- The append's read models, cheaper (issue 19, bench/append.py). Measured per append with
-- track_functions: append_batch 0.31 ms, of which project_study 0.22 ms (the study's row, then
-- every deadline upserted and every task deleted and inserted again, changed or not).
-- A study's row is updated at every append: room on its page lets PostgreSQL update it in
-- place (a HOT update, no new index entries) when no indexed column changed.
ALTER TABLE studies SET (fillfactor = 70, toast_tuple_target = 8160);

-- Deadlines and tasks are written only when the view's lists changed: most appends (a
-- participant's consent, a note) leave them as they were. The row read first is the study's
-- own, by its primary key; a study written for the first time has none, and writes both.
CREATE OR REPLACE FUNCTION project_study(v jsonb, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    sid text := v->>'id';
    old_deadlines jsonb;
    old_tasks jsonb;
    known boolean;
BEGIN
    SELECT true, s.view->'deadlines', s.view->'tasks' INTO known, old_deadlines, old_tasks
    FROM studies s WHERE s.id = sid;

    INSERT INTO studies (id, title, category, state, investigator, version, overdue, next_due_on,
                         view, created_at, updated_at)
    VALUES (sid, v->>'title', v->>'category', v->>'state', v->>'investigator',
            (v->>'version')::integer, (v->>'overdue')::boolean, (v->>'next_due_on')::date, v,
            at, at)
    ON CONFLICT (id) DO UPDATE SET
        title = EXCLUDED.title, category = EXCLUDED.category, state = EXCLUDED.state,
        investigator = EXCLUDED.investigator, version = EXCLUDED.version,
        overdue = EXCLUDED.overdue, next_due_on = EXCLUDED.next_due_on, view = EXCLUDED.view,
        updated_at = EXCLUDED.updated_at;

    -- a study's deadlines only ever grow: upsert them
    IF known IS NULL OR old_deadlines IS DISTINCT FROM v->'deadlines' THEN
        INSERT INTO deadlines (study_id, name, clock, label, role, starts_on, due_on, status,
                               waiting, closed_on)
        SELECT sid, d.name, d.clock, d.label, d.role, d.starts_on, d.due_on, d.status,
               d.waiting, d.closed_on
        FROM jsonb_to_recordset(coalesce(v->'deadlines', '[]'::jsonb)) AS d(
            name text, clock text, label text, role text, starts_on date, due_on date,
            status text, waiting boolean, closed_on date)
        ON CONFLICT (study_id, name) DO UPDATE SET
            clock = EXCLUDED.clock, label = EXCLUDED.label, role = EXCLUDED.role,
            starts_on = EXCLUDED.starts_on, due_on = EXCLUDED.due_on, status = EXCLUDED.status,
            waiting = EXCLUDED.waiting, closed_on = EXCLUDED.closed_on;
    END IF;

    IF known IS NULL OR old_tasks IS DISTINCT FROM v->'tasks' THEN
        PERFORM project_tasks(sid, v);
    END IF;
END $$;
