-- The investigators' inbox now asks for participants with the statuses and the horizon as
-- parameters (the rule is domain/inbox.py's): an index on status and on who consented serves
-- the query whatever the parameters, where 011's partial index only served the values written
-- in its predicate.
CREATE INDEX participants_inbox ON participants (status, (view->>'consent_by'));
DROP INDEX participants_to_reconsent;
