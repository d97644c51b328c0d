-- Electronic signatures (21 CFR 11.50, 11.70): the manifestation (printed name, UTC date and
-- time, meaning) is kept with the signed event and covered by its hash: the body the hash is
-- computed on holds it when present, so that the events written before keep their hashes.
-- The append function is left as it is: the signatures of one append ride in a
-- transaction-local setting (`studyflow.signatures`, a JSON object keyed by idempotency key)
-- that this trigger copies onto each inserted row.
ALTER TABLE events ADD COLUMN signature jsonb;

CREATE FUNCTION events_signature_from_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending text := current_setting('studyflow.signatures', true);
BEGIN
    IF NEW.signature IS NULL AND pending IS NOT NULL AND pending <> '' THEN
        NEW.signature := (pending::jsonb) -> NEW.idempotency_key;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER events_signature BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_signature_from_append();
