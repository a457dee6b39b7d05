-- People who wrote to the bot. language is 'km' or 'en'.
CREATE TABLE users (
    telegram_id INTEGER PRIMARY KEY,
    language    TEXT NOT NULL DEFAULT 'km' CHECK (language IN ('km', 'en')),
    language_chosen INTEGER NOT NULL DEFAULT 0,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    consent_at  TEXT
);
