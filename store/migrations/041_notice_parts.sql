-- A notice without a clock told in its reader's language (issue 16): besides the English
-- sentence written when it was sent (`message`, the record), the parts it is told from: the
-- key of its sentence in domain/inbox.py's MESSAGES and the values it names (codes, ISO
-- dates), rendered at display time by i18n/notices.py. Older notices have none and read as
-- before (study and kind).
-- The append function is left as it is: the parts of one append ride in a transaction-local
-- setting (`studyflow.notice_parts`, a JSON object keyed by the notice's English sentence)
-- that this trigger copies onto each inserted notice, as migration 021 does for signatures.
ALTER TABLE notifications ADD COLUMN parts jsonb;

CREATE FUNCTION notifications_parts_from_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending text := current_setting('studyflow.notice_parts', true);
BEGIN
    IF NEW.parts IS NULL AND pending IS NOT NULL AND pending <> '' THEN
        NEW.parts := (pending::jsonb) -> NEW.message;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER notifications_parts BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_parts_from_append();
