-- The registry of licensed recruitment agencies, replaced as a whole by
-- `python -m bot recruiters import`. One row per import is kept as history;
-- the newest row says what the registry currently holds (and whether it is
-- sample data, which the bot never presents as the official list).
CREATE TABLE recruiter_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    is_sample   INTEGER NOT NULL CHECK (is_sample IN (0, 1)),
    source      TEXT NOT NULL,   -- the most common source in the file
    as_of       TEXT NOT NULL    -- the newest as-of date in the file (YYYY-MM-DD)
);

-- AUTOINCREMENT: ids are never reused, so a button carrying an old id
-- ("rc:pick:123") can never show a different agency after a new import.
CREATE TABLE recruiters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    licence_no   TEXT NOT NULL DEFAULT '',
    name_latin   TEXT NOT NULL DEFAULT '',
    name_khmer   TEXT NOT NULL DEFAULT '',
    aliases      TEXT NOT NULL DEFAULT '',  -- ';'-separated, as in the CSV
    status       TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'expired')),
    valid_until  TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
    destinations TEXT NOT NULL DEFAULT '',  -- ';'-separated, as in the CSV
    address      TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    as_of        TEXT NOT NULL,             -- YYYY-MM-DD
    CHECK (name_latin <> '' OR name_khmer <> '')
);

-- What people searched for, WITHOUT who searched: staff see which unlisted
-- names are asked about (an early signal of illegal recruiters).
CREATE TABLE recruiter_searches (
    id          INTEGER PRIMARY KEY,
    query       TEXT NOT NULL,  -- normalised, generic words removed, words single-spaced
    query_key   TEXT NOT NULL,  -- the same without spaces: groups spelling variants
    result_kind TEXT NOT NULL,
    searched_at TEXT NOT NULL
);
CREATE INDEX recruiter_searches_kind_time ON recruiter_searches (result_kind, searched_at);
