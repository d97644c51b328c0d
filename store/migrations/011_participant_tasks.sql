-- Participants who must consent again, and minors coming of age: the investigators' inbox
-- finds them without reading every participant of every study.
CREATE INDEX participants_to_reconsent ON participants (study_id)
    WHERE status = 'needs_reconsent' OR view->>'consent_by' = 'holders';
