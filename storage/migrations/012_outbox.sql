-- The outbox: every message the bot sends on its own (not the immediate answer to the person
-- who just wrote) is a row first, written in the transaction of the change that causes it.
-- One sender (bot/sender.py) sends the rows in order per chat, by lane, within the token's
-- budget, and records Telegram's answer on the row.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    lane            INTEGER NOT NULL,          -- 1 relays and notices, 2 staff-group posts
    chat_id         INTEGER NOT NULL,          -- a person's chat; 0: the staff group
    case_id         INTEGER REFERENCES cases(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,             -- how it is sent: bot/sender.py's table
    payload         TEXT NOT NULL,             -- JSON: what to send (may hold what people wrote)
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,   -- Unix time
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    sent_chat_id    INTEGER,                   -- where it went (the staff group may have moved)
    message_id      INTEGER,                   -- Telegram's id of what was sent
    reason          TEXT                       -- why it failed (or the last error before a retry)
);
CREATE INDEX outbox_queued ON outbox(chat_id, id) WHERE status = 'queued';
CREATE INDEX outbox_by_case ON outbox(case_id);

-- The staff group's id when Telegram moved it (a group turned into a supergroup): wins over
-- STAFF_CHAT_ID from then on.
CREATE TABLE staff_chat (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    chat_id    INTEGER NOT NULL,
    moved_from INTEGER NOT NULL,
    moved_at   TEXT NOT NULL
);
