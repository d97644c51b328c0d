-- Tasks are a pure projection of each study's state: no surrogate id, so that rebuilding the
-- read models from the events gives the same rows, byte for byte.
ALTER TABLE tasks DROP COLUMN id;
