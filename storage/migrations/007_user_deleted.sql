-- Set when a person deletes their data (/delete). The row stays as a tombstone so
-- that anonymous case statistics keep their foreign keys; every proactive sender
-- (follow-ups, alerts) sends nothing to a person with deleted_at set.
ALTER TABLE users ADD COLUMN deleted_at TEXT;
