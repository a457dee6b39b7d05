-- The last reference number given to each kind of case (W-0042: 42), taken and raised in
-- the transaction that stores the case: one atomic counter per kind, the same on SQLite
-- and PostgreSQL (an UPDATE holds the row, so two processes never give the same number,
-- and a rolled-back case leaves no gap).
CREATE TABLE case_counters (
    kind     TEXT PRIMARY KEY CHECK (kind IN ('W', 'G')),
    last_seq INTEGER NOT NULL
);
INSERT INTO case_counters(kind, last_seq) SELECT kind, MAX(seq) FROM cases GROUP BY kind;
