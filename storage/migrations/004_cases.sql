-- Reports that became cases: wage claims (kind W) and grievances (kind G).
-- Ready for the staff desk: status with outcome, assigned staff, urgency, timestamps.
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('W', 'G')),
    seq           INTEGER NOT NULL,             -- reference number within the kind: W-0042
    draft_id      TEXT NOT NULL UNIQUE,         -- one case per form, however often Confirm arrives
    reporter_id   INTEGER NOT NULL REFERENCES users(telegram_id),
    reporter_language TEXT NOT NULL CHECK (reporter_language IN ('km', 'en')),
    reporter_gender   TEXT CHECK (reporter_gender IN ('woman', 'man', 'other', 'unsaid')),
    reported_by   TEXT NOT NULL DEFAULT 'self' CHECK (reported_by IN ('self', 'family', 'group')),
    group_size    INTEGER,                      -- workers in a group report
    category      TEXT NOT NULL,                -- 'wages' for W; the grievance category for G
    urgent        INTEGER NOT NULL DEFAULT 0,   -- the trafficking screener found a yes
    screener      TEXT,                         -- JSON {question: "yes"|"no"}
    status        TEXT NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'claimed', 'waiting', 'referred', 'closed')),
    outcome       TEXT,                         -- set by staff on closing
    assigned_staff_id INTEGER,
    country       TEXT CHECK (country IN ('TH', 'KH', 'border')),
    province      TEXT,                         -- key in data/thai_provinces.csv
    place         TEXT,                         -- typed place (outside Thailand)
    employer      TEXT,
    workplace     TEXT,
    sector        TEXT,
    first_month   TEXT,                         -- YYYY-MM
    last_month    TEXT,                         -- YYYY-MM
    owed          TEXT,                         -- comma-separated: wages,overtime,severance,deposit,documents
    amount        TEXT,                         -- decimal as text, in currency
    currency      TEXT CHECK (currency IN ('THB', 'USD', 'KHR')),
    recruiter_involved TEXT CHECK (recruiter_involved IN ('yes', 'no', 'unsure')),
    recruiter_name TEXT,
    description   TEXT,
    description_voice TEXT,                     -- Telegram file id of a voice description
    anonymous     INTEGER NOT NULL DEFAULT 0,
    contact       TEXT NOT NULL CHECK (contact IN ('chat', 'phone', 'none')),
    phone         TEXT,
    share_name    INTEGER NOT NULL DEFAULT 0,   -- staff may give the name to partner organisations
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    first_response_at TEXT,
    closed_at     TEXT,
    UNIQUE (kind, seq)
);
CREATE INDEX cases_by_reporter ON cases(reporter_id, id);
CREATE INDEX cases_by_status ON cases(status, urgent);

-- Photos, documents and voice notes, kept as Telegram file ids.
CREATE TABLE case_evidence (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,                    -- photo, document, voice, video, audio, video_note
    file_id   TEXT NOT NULL,
    file_unique_id TEXT,
    added_at  TEXT NOT NULL,
    later     INTEGER NOT NULL DEFAULT 0        -- 1: added from My cases after the report
);
CREATE INDEX case_evidence_by_case ON case_evidence(case_id);

-- Messages about a case: from the reporter (My cases) and, later, from staff.
CREATE TABLE case_messages (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    sender     TEXT NOT NULL CHECK (sender IN ('reporter', 'staff')),
    sender_id  INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_messages_by_case ON case_messages(case_id, id);

-- Asked once per person, may be skipped ('unsaid'); copied onto each case.
ALTER TABLE users ADD COLUMN gender TEXT CHECK (gender IN ('woman', 'man', 'other', 'unsaid'));
