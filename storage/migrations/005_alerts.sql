-- Safety alerts: who subscribed, what was broadcast, and one outbox row per delivery.

-- A person the bot can no longer write to (blocked the bot, account deactivated);
-- cleared when they come back. Nothing proactive is sent while it is set.
ALTER TABLE users ADD COLUMN unreachable_at TEXT;

-- A row exists once the person was asked (onboarding) or chose in /alerts.
CREATE TABLE subscribers (
    telegram_id INTEGER PRIMARY KEY REFERENCES users(telegram_id),
    subscribed  INTEGER NOT NULL CHECK (subscribed IN (0, 1)),
    province    TEXT,              -- a key of data/provinces_kh.csv, or NULL
    asked_at    TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);
CREATE INDEX subscribers_subscribed ON subscribers(subscribed, province);

CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    created_by  INTEGER,           -- admin's Telegram id; NULL when queued from the CLI
    created_at  TEXT NOT NULL,
    audience    TEXT NOT NULL,     -- 'all', 'province:<key>' or 'language:<km|en>'
    text_km     TEXT,              -- at least one of the two texts is set
    text_en     TEXT,
    photo       TEXT,              -- Telegram file_id, sent with the text as caption
    status      TEXT NOT NULL DEFAULT 'sending'
                CHECK (status IN ('sending', 'paused', 'cancelled', 'done')),
    progress_chat_id    INTEGER,   -- the admin's progress message, edited while sending
    progress_message_id INTEGER,
    finished_at TEXT,
    CHECK (text_km IS NOT NULL OR text_en IS NOT NULL)
);

-- The outbox. A row is marked sent in the same step as Telegram's answer, so a
-- restart never sends a 'sent' row again. next_attempt is Unix time in seconds
-- (the sender paces itself below one second).
CREATE TABLE deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    user_id      INTEGER NOT NULL,
    language     TEXT NOT NULL CHECK (language IN ('km', 'en')),
    status       TEXT NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'sent', 'failed', 'blocked')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    error        TEXT,             -- Telegram's reason for the last failure
    sent_at      TEXT,
    PRIMARY KEY (broadcast_id, user_id)
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt);  -- ties in insertion order
CREATE INDEX deliveries_by_status ON deliveries(broadcast_id, status);
CREATE INDEX deliveries_by_user ON deliveries(user_id, status);
