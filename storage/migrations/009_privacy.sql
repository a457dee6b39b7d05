-- Privacy and data rights (/mydata, /delete, retention, redaction).

-- How staff may address the reporter of a named report ("Sokha (@sokha)"); NULL for
-- anonymous reports, which staff see under a case alias instead.
ALTER TABLE cases ADD COLUMN reporter_name TEXT;
-- When the case's personal details were erased (the person deleted their data, or the
-- retention job ran); what remains is anonymous statistics.
ALTER TABLE cases ADD COLUMN erased_at TEXT;

-- Cases whose reporter deleted their data (or whose details expired) belong to this
-- row: nobody. It keeps the foreign key and links the case to no person.
INSERT INTO users(telegram_id, language, first_seen, last_seen, deleted_at)
VALUES (0, 'km', strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'),
        strftime('%Y-%m-%dT%H:%M:%SZ','now'))
ON CONFLICT DO NOTHING;

-- When a periodic job last finished (the daily retention job runs at most once a day,
-- whatever restarts happen in between).
CREATE TABLE job_runs (
    name     TEXT PRIMARY KEY,
    last_run TEXT NOT NULL
);
