-- Follow-up messages to returnees about their cases: one row each, swept by one repeating
-- job (bot/followups.py). Nothing lives only in memory: a row is 'scheduled' until the
-- sender marks it 'sent' with Telegram's answer, 'failed' (403, 400, too many network
-- errors) or 'cancelled' (the case moved on, the person stopped reminders, staff cancelled).

-- Set when the person pressed "Stop reminders"; cleared by /reminders.
ALTER TABLE users ADD COLUMN reminders_off_at TEXT;

CREATE TABLE followups (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL,            -- the reporter's Telegram id
    kind         TEXT NOT NULL
                 CHECK (kind IN ('no_reply', 'after_referral', 'after_close', 'staff')),
    text         TEXT,                        -- staff's own words (kind 'staff' only)
    created_by   INTEGER,                     -- staff id; NULL when automatic
    created_at   TEXT NOT NULL,
    due_at       TEXT NOT NULL,               -- when it was meant to go (UTC)
    next_attempt TEXT NOT NULL,               -- when the sender tries next: due_at, moved past
                                              -- quiet hours or by a retry's backoff
    state        TEXT NOT NULL DEFAULT 'scheduled'
                 CHECK (state IN ('scheduled', 'sent', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,  -- network errors and 5xx so far
    last_error   TEXT,                        -- why it failed or was cancelled (no message text)
    sent_at      TEXT,
    message_id   INTEGER,                     -- the message in the person's chat
    answer       TEXT CHECK (answer IN ('yes', 'no', 'help')),
    answered_at  TEXT,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 3),  -- 3 happy, 2 OK, 1 not happy
    CHECK ((kind = 'staff') = (text IS NOT NULL))
);
CREATE INDEX followups_due ON followups(state, next_attempt);
CREATE INDEX followups_by_case ON followups(case_id, state);
CREATE INDEX followups_by_person ON followups(person_id, state);
-- Each automatic kind at most once per case: the after-close check goes out on the first
-- close only (CasePro's rule), and a second referral does not ask twice.
CREATE UNIQUE INDEX followups_automatic_once ON followups(case_id, kind) WHERE kind != 'staff';
