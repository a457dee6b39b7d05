-- What people typed outside a form, WITHOUT who typed it: which intent it was taken
-- for, and only when nothing matched the normalised text (digits masked), so staff
-- can see what the phrase lists in data/intents.csv miss.
CREATE TABLE intent_log (
    id        INTEGER PRIMARY KEY,
    intent    TEXT,                 -- NULL: nothing matched
    phrase    TEXT,                 -- normalised text, only when nothing matched
    logged_at TEXT NOT NULL
);
CREATE INDEX intent_log_time ON intent_log (logged_at);
