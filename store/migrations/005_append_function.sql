-- One append = one statement: check the head, chain the hashes, insert the events and project
-- the read models, atomically. The caller sends each event's canonical JSON body (without its
-- prev_hash); hash = sha256(prev_hash || body), the same formula `verify` recomputes.
CREATE FUNCTION append_batch(
    p_stream text, p_expected integer, p_at timestamptz, p_keys text[], p_types text[],
    p_data text[], p_actors text[], p_roles text[], p_reasons text[], p_bodies text[],
    p_study jsonb, p_participants jsonb, p_notifications jsonb
) RETURNS TABLE (duplicate boolean, event events) LANGUAGE plpgsql AS $$
DECLARE
    head_version integer;
    prev text;
    h text;
    last_seq bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM events e WHERE e.idempotency_key = p_keys[1]) THEN
        RETURN QUERY SELECT true, e FROM events e WHERE e.idempotency_key = ANY (p_keys)
                     ORDER BY e.global_seq;
        RETURN;
    END IF;
    SELECT e.version, e.hash INTO head_version, prev FROM events e WHERE e.stream_id = p_stream
    ORDER BY e.version DESC LIMIT 1;
    IF coalesce(head_version, 0) <> p_expected THEN
        RAISE EXCEPTION 'stream % is at version %, not %', p_stream, coalesce(head_version, 0),
            p_expected USING ERRCODE = 'SF409';
    END IF;
    prev := coalesce(prev, repeat('0', 64));
    FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
        h := encode(sha256(convert_to(prev || p_bodies[i], 'UTF8')), 'hex');
        INSERT INTO events (stream_id, version, type, data, actor, role, reason, recorded_at,
                            idempotency_key, prev_hash, hash)
        VALUES (p_stream, p_expected + i, p_types[i], p_data[i]::jsonb, p_actors[i],
                p_roles[i], p_reasons[i], p_at, p_keys[i], prev, h)
        RETURNING global_seq INTO last_seq;
        prev := h;
    END LOOP;
    IF p_study IS NOT NULL THEN
        PERFORM project_study(p_study, p_at);
    END IF;
    INSERT INTO participants (study_id, code, status, consent_form_version, view)
    SELECT p_stream, p->>'code', p->>'status', p->>'consent_form_version', p
    FROM jsonb_array_elements(coalesce(p_participants, '[]'::jsonb)) AS p
    ON CONFLICT (study_id, code) DO UPDATE SET
        status = EXCLUDED.status, consent_form_version = EXCLUDED.consent_form_version,
        view = EXCLUDED.view;
    INSERT INTO notifications (study_id, role, kind, message, urgent, deadline, channel, seq,
                               created_at)
    SELECT p_stream, n->>'role', n->>'kind', n->>'message', (n->>'urgent')::boolean,
           n->>'deadline', 'in_app', last_seq, p_at
    FROM jsonb_array_elements(coalesce(p_notifications, '[]'::jsonb)) AS n;
    RETURN QUERY SELECT false, e FROM events e WHERE e.stream_id = p_stream
                 AND e.version > p_expected ORDER BY e.version;
END $$;
