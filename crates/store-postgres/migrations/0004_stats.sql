-- Statistics (docs/SCHEMA.md): the metric inputs of a case, the rollup table kept in step
-- with every case write, and background export jobs.

ALTER TABLE cases ADD COLUMN ever_supervised BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN on_time BOOLEAN NULL;
ALTER TABLE cases ADD COLUMN accept_minutes BIGINT NULL;
ALTER TABLE cases ADD COLUMN close_minutes BIGINT NULL;
-- Cases written before this migration: 督办 is in their history. (The working times to
-- accept and to close need the calendar and stay unset; `zongzhi rollup rebuild` fills
-- `case_rollups` from the cases.)
UPDATE cases SET ever_supervised = TRUE
WHERE supervision_level IS NOT NULL
   OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'supervise');

-- Summed `Counters` by unit (every ancestor-or-self of a case's location) × dimension ×
-- value × local day reported (zongzhi_core::metrics::rollup).
CREATE TABLE case_rollups (
    unit_path       TEXT COLLATE "C" NOT NULL,
    dim             TEXT NOT NULL,
    value           TEXT COLLATE "C" NOT NULL,
    day             DATE NOT NULL,
    received        BIGINT NOT NULL DEFAULT 0,
    open            BIGINT NOT NULL DEFAULT 0,
    closed          BIGINT NOT NULL DEFAULT 0,
    resolved        BIGINT NOT NULL DEFAULT 0,
    on_time         BIGINT NOT NULL DEFAULT 0,
    accepted        BIGINT NOT NULL DEFAULT 0,
    rated           BIGINT NOT NULL DEFAULT 0,
    satisfied       BIGINT NOT NULL DEFAULT 0,
    overdue         BIGINT NOT NULL DEFAULT 0,
    supervised      BIGINT NOT NULL DEFAULT 0,
    reopened        BIGINT NOT NULL DEFAULT 0,
    accept_minutes  BIGINT NOT NULL DEFAULT 0,
    close_minutes   BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT case_rollups_pkey PRIMARY KEY (unit_path, dim, value, day)
);

-- Background exports (台账/报表), claimed by workers with a lease.
CREATE TABLE export_jobs (
    id            BIGSERIAL PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    kind          TEXT NOT NULL,
    format        TEXT NOT NULL,
    params        JSONB NOT NULL,
    status        TEXT NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    rows_written  BIGINT NOT NULL DEFAULT 0,
    total_rows    BIGINT NOT NULL DEFAULT 0,
    file_name     TEXT NULL,
    file_size     BIGINT NULL,
    error         TEXT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_until   TIMESTAMPTZ NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    started_at    TIMESTAMPTZ NULL,
    finished_at   TIMESTAMPTZ NULL
);
CREATE INDEX export_jobs_status_idx ON export_jobs (status, id);
CREATE INDEX export_jobs_account_idx ON export_jobs (account_id, id);
