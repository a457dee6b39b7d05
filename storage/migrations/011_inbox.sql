-- Every update from Telegram, written before Telegram is told it arrived (the next
-- getUpdates offset, or the webhook's 200). done_at is set when its handlers finished;
-- at start-up the rows without it are processed first, in update_id order. A
-- redelivered update_id finds its row and is skipped. Done rows are pruned after a day.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT NOT NULL,             -- the update as Telegram sent it (JSON)
    received_at TEXT NOT NULL,
    replays     INTEGER NOT NULL DEFAULT 0, -- start-ups that found it unfinished
    done_at     TEXT
);
CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;
