-- The staff desk: where each case lives in the staff group, what staff did, and the outcome.

-- One thread per case: a forum topic (thread_id), or a card message whose replies form the
-- thread (thread_id NULL). The row is written before anything is posted, so a case never
-- gets two topics; case_id is the primary key, so a second row cannot exist.
CREATE TABLE case_threads (
    case_id         INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
    chat_id         INTEGER NOT NULL,
    thread_id       INTEGER,                    -- forum topic id
    card_message_id INTEGER,                    -- the case card in that chat
    created_at      TEXT NOT NULL,
    UNIQUE (chat_id, thread_id)
);

-- Every message in the staff group that belongs to a case (the card, relayed messages,
-- staff replies): a reply to any of them is a reply in that case's thread.
CREATE TABLE case_links (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX case_links_by_case ON case_links(case_id);

-- Internal notes: never sent to the returnee.
CREATE TABLE case_notes (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_by_case ON case_notes(case_id, id);

-- Who did what, when. staff_id NULL: the command line or the bot itself.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    staff_id INTEGER,
    case_id  INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    action   TEXT NOT NULL,                     -- claim, unassign, escalate, reply, note, ...
    detail   TEXT                               -- ids and keys only, never what people wrote
);
CREATE INDEX audit_log_by_case ON audit_log(case_id, id);

ALTER TABLE cases ADD COLUMN announced_at TEXT;        -- the card is in the staff group
ALTER TABLE cases ADD COLUMN reminded_at TEXT;         -- last 'still unclaimed' announcement
ALTER TABLE cases ADD COLUMN claimed_at TEXT;
ALTER TABLE cases ADD COLUMN escalation TEXT;          -- level name from ESCALATION_LEVELS
ALTER TABLE cases ADD COLUMN escalation_open INTEGER NOT NULL DEFAULT 0;  -- nobody on it took it
ALTER TABLE cases ADD COLUMN referred_to TEXT;         -- key of a directory organisation
ALTER TABLE cases ADD COLUMN recovered_amount TEXT;    -- decimal as text
ALTER TABLE cases ADD COLUMN recovered_currency TEXT CHECK (recovered_currency IN ('THB', 'USD', 'KHR'));
CREATE INDEX cases_unannounced ON cases(announced_at) WHERE announced_at IS NULL;
