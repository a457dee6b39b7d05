-- A broadcast's deliveries are queued a chunk at a time (storage/broadcasts.py), so a
-- broadcast to 100,000 people never holds the writer for one long transaction. While
-- chunks are still to come this is the last recipient id queued; NULL once all are.
ALTER TABLE broadcasts ADD COLUMN enqueued_through INTEGER;
