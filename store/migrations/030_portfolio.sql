-- The unit's portfolio (issue 20): the reports read each study's submission and decision dates
-- and each participant's site and inclusion date as columns. The views hold them as JSON; these
-- columns are generated from the views by PostgreSQL at every write, so the append function,
-- the projections and the rebuild write them unchanged, and a rebuild gives the same rows.

-- An ISO date (YYYY-MM-DD) as a date, NULL otherwise. IMMUTABLE, unlike text::date (which reads
-- DateStyle), so that generated columns may use it.
CREATE FUNCTION iso_date(t text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ '^\d{4}-\d{2}-\d{2}$'
                THEN make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int)
           END
$$;

ALTER TABLE studies
    ADD COLUMN ethics_committee text
        GENERATED ALWAYS AS (view #>> '{steps,ethics,committee}') STORED,
    ADD COLUMN ethics_submitted_on date
        GENERATED ALWAYS AS (iso_date(view #>> '{steps,ethics,submitted_on}')) STORED,
    ADD COLUMN ethics_opinion_on date
        GENERATED ALWAYS AS (iso_date(view #>> '{steps,ethics,opinion_on}')) STORED,
    ADD COLUMN ethics_information_requested boolean
        GENERATED ALWAYS AS (view #>> '{steps,ethics,information_requested_on}' IS NOT NULL) STORED,
    ADD COLUMN ethics_tacit boolean
        GENERATED ALWAYS AS (coalesce((view #>> '{steps,ethics,tacit}')::boolean, false)) STORED,
    ADD COLUMN ansm_submitted_on date
        GENERATED ALWAYS AS (iso_date(view #>> '{steps,ansm,submitted_on}')) STORED,
    ADD COLUMN ansm_decision_on date
        GENERATED ALWAYS AS (iso_date(view #>> '{steps,ansm,decision_on}')) STORED,
    ADD COLUMN ansm_decision text
        GENERATED ALWAYS AS (view #>> '{steps,ansm,decision}') STORED,
    ADD COLUMN ansm_tacit boolean
        GENERATED ALWAYS AS (coalesce((view #>> '{steps,ansm,tacit}')::boolean, false)) STORED;
CREATE INDEX studies_ethics ON studies (ethics_committee) WHERE ethics_submitted_on IS NOT NULL;

ALTER TABLE participants
    ADD COLUMN site text GENERATED ALWAYS AS (view ->> 'site') STORED,
    ADD COLUMN included_on date GENERATED ALWAYS AS (iso_date(view ->> 'included_on')) STORED;

-- Inclusions per study and month, kept by a trigger on participants: the unit's monthly figure
-- reads one row per study and month rather than every participant of every study. Per study
-- (not one row per month for the whole unit) so that two studies' appends never wait on the
-- same row; a study's own appends are one at a time already (its workflow).
CREATE TABLE inclusion_months (
    study_id text    NOT NULL,
    month    date    NOT NULL,
    included integer NOT NULL,
    PRIMARY KEY (study_id, month)
);
CREATE INDEX inclusion_months_month ON inclusion_months (month) INCLUDE (included);

CREATE FUNCTION count_inclusions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.included_on IS NOT DISTINCT FROM NEW.included_on THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.included_on IS NOT NULL THEN
        UPDATE inclusion_months SET included = included - 1
        WHERE study_id = OLD.study_id AND month = date_trunc('month', OLD.included_on)::date;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.included_on IS NOT NULL THEN
        INSERT INTO inclusion_months (study_id, month, included)
        VALUES (NEW.study_id, date_trunc('month', NEW.included_on)::date, 1)
        ON CONFLICT (study_id, month) DO UPDATE SET included = inclusion_months.included + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER participants_count_inclusions AFTER INSERT OR UPDATE OR DELETE ON participants
    FOR EACH ROW EXECUTE FUNCTION count_inclusions();
INSERT INTO inclusion_months (study_id, month, included)
SELECT study_id, date_trunc('month', included_on)::date, count(*) FROM participants
WHERE included_on IS NOT NULL GROUP BY 1, 2;

-- Clocks met per month of the fact that met them, missed per month of their due date.
CREATE INDEX deadlines_closed ON deadlines (closed_on) WHERE status = 'met';
CREATE INDEX deadlines_missed ON deadlines (due_on) WHERE status = 'overdue' OR waiting;
