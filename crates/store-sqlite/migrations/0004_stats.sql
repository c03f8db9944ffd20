-- Statistics (docs/SCHEMA.md): the metric inputs of a case, the rollup table kept in step
-- with every case write, and background export jobs. Column-identical to PostgreSQL's.

ALTER TABLE cases ADD COLUMN ever_supervised BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN on_time BOOLEAN NULL;
ALTER TABLE cases ADD COLUMN accept_minutes INTEGER NULL;
ALTER TABLE cases ADD COLUMN close_minutes INTEGER NULL;
-- Cases written before this migration: 督办 is in their history. (The working times to
-- accept and to close need the calendar and stay unset; `zongzhi rollup rebuild` fills
-- `case_rollups` from the cases.)
UPDATE cases SET ever_supervised = TRUE
WHERE supervision_level IS NOT NULL
   OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'supervise');

-- Summed `Counters` by unit (every ancestor-or-self of a case's location) × dimension ×
-- value × local day reported (zongzhi_core::metrics::rollup). `day` is 'YYYY-MM-DD'.
CREATE TABLE case_rollups (
    unit_path       TEXT    NOT NULL,
    dim             TEXT    NOT NULL,
    value           TEXT    NOT NULL,
    day             TEXT    NOT NULL,
    received        INTEGER NOT NULL DEFAULT 0,
    open            INTEGER NOT NULL DEFAULT 0,
    closed          INTEGER NOT NULL DEFAULT 0,
    resolved        INTEGER NOT NULL DEFAULT 0,
    on_time         INTEGER NOT NULL DEFAULT 0,
    accepted        INTEGER NOT NULL DEFAULT 0,
    rated           INTEGER NOT NULL DEFAULT 0,
    satisfied       INTEGER NOT NULL DEFAULT 0,
    overdue         INTEGER NOT NULL DEFAULT 0,
    supervised      INTEGER NOT NULL DEFAULT 0,
    reopened        INTEGER NOT NULL DEFAULT 0,
    accept_minutes  INTEGER NOT NULL DEFAULT 0,
    close_minutes   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_path, dim, value, day)
) WITHOUT ROWID;

-- Background exports (台账/报表), claimed by workers with a lease.
CREATE TABLE export_jobs (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    kind          TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    params        TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    rows_written  INTEGER NOT NULL DEFAULT 0,
    total_rows    INTEGER NOT NULL DEFAULT 0,
    file_name     TEXT    NULL,
    file_size     INTEGER NULL,
    error         TEXT    NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_until   TEXT    NULL,
    created_at    TEXT    NOT NULL,
    started_at    TEXT    NULL,
    finished_at   TEXT    NULL
);
CREATE INDEX export_jobs_status_idx ON export_jobs (status, id);
CREATE INDEX export_jobs_account_idx ON export_jobs (account_id, id);
