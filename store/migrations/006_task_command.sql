-- Each inbox task names the command that clears it (the form it links to).
ALTER TABLE tasks ADD COLUMN command text;

CREATE OR REPLACE FUNCTION project_tasks(sid text, v jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tasks WHERE study_id = sid;
    INSERT INTO tasks (study_id, role, kind, title, due_on, deadline, overdue, command)
    SELECT sid, t.role, t.kind, t.title, t.due_on, t.deadline, coalesce(t.overdue, false),
           t.command
    FROM jsonb_to_recordset(coalesce(v->'tasks', '[]'::jsonb)) AS t(
        role text, kind text, title text, due_on date, deadline text, overdue boolean,
        command text);
END $$;

CREATE OR REPLACE FUNCTION project_study(v jsonb, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    sid text := v->>'id';
BEGIN
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
    INSERT INTO deadlines (study_id, name, clock, label, role, starts_on, due_on, status,
                           waiting, closed_on)
    SELECT sid, d.name, d.clock, d.label, d.role, d.starts_on, d.due_on, d.status, d.waiting,
           d.closed_on
    FROM jsonb_to_recordset(coalesce(v->'deadlines', '[]'::jsonb)) AS d(
        name text, clock text, label text, role text, starts_on date, due_on date,
        status text, waiting boolean, closed_on date)
    ON CONFLICT (study_id, name) DO UPDATE SET
        clock = EXCLUDED.clock, label = EXCLUDED.label, role = EXCLUDED.role,
        starts_on = EXCLUDED.starts_on, due_on = EXCLUDED.due_on, status = EXCLUDED.status,
        waiting = EXCLUDED.waiting, closed_on = EXCLUDED.closed_on;

    PERFORM project_tasks(sid, v);
END $$;
