-- An internal note may carry a file: a photo or document sent with a /note caption.
-- Kept as a Telegram file id, like case_evidence; erased with the case's other notes.
ALTER TABLE case_notes ADD COLUMN file_kind TEXT;
ALTER TABLE case_notes ADD COLUMN file_id TEXT;
