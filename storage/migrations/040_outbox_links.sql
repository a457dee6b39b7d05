-- Outbox rows link to what they are about, so /delete, retention and /redact find every copy:
-- the follow-up a row delivers, and the person a row names when it has no case (the
-- "I need help now" staff alert). Follow-ups are outbox rows once they fall due.
ALTER TABLE outbox ADD COLUMN followup_id INTEGER REFERENCES followups(id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN person_id INTEGER;
CREATE INDEX outbox_by_followup ON outbox(followup_id);
CREATE INDEX outbox_by_person ON outbox(person_id);
-- A follow-up handed to the outbox (it then waits there, not here).
ALTER TABLE followups ADD COLUMN queued_at TEXT;
