-- The admin's draft a broadcast came from: Confirm pressed again after a crash (the
-- conversation position is saved every few seconds) finds it instead of a second send.
ALTER TABLE broadcasts ADD COLUMN draft_id TEXT;
CREATE UNIQUE INDEX broadcasts_by_draft ON broadcasts(draft_id);
