-- The `participants` projection: each participant's view, upserted by `append_batch`.

-- name: participants
SELECT view FROM participants WHERE study_id = $1 ORDER BY code;

-- name: participants_page
SELECT view FROM participants
WHERE study_id = $1 AND ($2::text IS NULL OR status = $2) AND code > $3
ORDER BY code LIMIT $4;

-- name: participants_for_tasks
-- Participants the inbox may show (the rule is domain/inbox.py's; it gives the parameters):
-- status in $1; or consent by $2, status in $3 and majority within $4 days. Earliest first.
SELECT p.study_id, s.title AS study_title, p.view, current_date AS today
FROM participants p JOIN studies s ON s.id = p.study_id
WHERE p.status = ANY($1::text[])
   OR (p.view->>'consent_by' = $2 AND p.status = ANY($3::text[])
       AND (p.view->>'majority_on')::date <= current_date + $4::integer)
ORDER BY (p.view->>'majority_on')::date NULLS LAST, p.study_id, p.code
LIMIT $5;

-- name: upsert_participants
INSERT INTO participants (study_id, code, status, consent_form_version, view)
SELECT $1, p->>'code', p->>'status', p->>'consent_form_version', p
FROM jsonb_array_elements($2::jsonb) AS p
ON CONFLICT (study_id, code) DO UPDATE SET
    status = EXCLUDED.status, consent_form_version = EXCLUDED.consent_form_version,
    view = EXCLUDED.view;

-- name: clear_participants
DELETE FROM participants;
