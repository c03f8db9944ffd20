-- Cases, their append-only history, parties, attachments, the time-limit table and the
-- working-time calendar (docs/SCHEMA.md). The `cases` row is a projection of
-- `case_events`, written in the same transaction as each event.

CREATE TABLE cases (
    id                      INTEGER PRIMARY KEY,
    tracking_no             TEXT    NOT NULL UNIQUE,
    version                 INTEGER NOT NULL,
    channel                 TEXT    NOT NULL,
    category_code           TEXT    NOT NULL REFERENCES categories (code),
    urgency                 TEXT    NOT NULL,
    complexity              TEXT    NOT NULL,
    title                   TEXT    NOT NULL,
    description             TEXT    NOT NULL,
    occurred_at             TEXT    NULL,
    reported_at             TEXT    NOT NULL,
    address                 TEXT    NULL,
    org_unit_id             INTEGER NOT NULL REFERENCES org_units (id),
    org_path                TEXT    NOT NULL,
    lat                     REAL    NULL,
    lng                     REAL    NULL,
    people_involved         INTEGER NULL,
    amount_fen              INTEGER NULL,
    status                  TEXT    NOT NULL,
    center_unit_id          INTEGER NOT NULL REFERENCES org_units (id),
    center_path             TEXT    NOT NULL,
    holder_department_id    INTEGER NULL REFERENCES departments (id),
    holder_unit_id          INTEGER NULL REFERENCES org_units (id),
    holder_path             TEXT    NULL,
    accept_deadline         TEXT    NULL,
    finish_deadline         TEXT    NULL,
    finish_unit             TEXT    NULL,
    due_at                  TEXT    NULL,
    warn_at                 TEXT    NULL,
    deadline_state          TEXT    NOT NULL,
    ever_overdue            BOOLEAN NOT NULL,
    extension_pending       BOOLEAN NOT NULL,
    pending_extension_days  INTEGER NULL,
    verification_passed     BOOLEAN NULL,
    last_rating             TEXT    NULL,
    rating                  TEXT    NULL,
    accepted_at             TEXT    NULL,
    resolved_at             TEXT    NULL,
    closed_at               TEXT    NULL,
    archived_at             TEXT    NULL,
    outcome                 TEXT    NULL,
    supervision_level       TEXT    NULL,
    master_case_id          INTEGER NULL REFERENCES cases (id),
    reopen_count            INTEGER NOT NULL,
    created_by              INTEGER NULL REFERENCES accounts (id),
    idempotency_key         TEXT    NULL,
    created_at              TEXT    NOT NULL,
    updated_at              TEXT    NOT NULL,
    UNIQUE (created_by, idempotency_key)
);
CREATE INDEX cases_org_path ON cases (org_path, id);
CREATE INDEX cases_center_path ON cases (center_path, id);
CREATE INDEX cases_holder_path ON cases (holder_path, id) WHERE holder_path IS NOT NULL;
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_category ON cases (category_code, id);
CREATE INDEX cases_reported ON cases (reported_at, id);
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_master ON cases (master_case_id) WHERE master_case_id IS NOT NULL;

-- Departments that lead or co-handle a case, now (`active`) or before: a department
-- handler sees every case their department has held.
CREATE TABLE case_departments (
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    lead           BOOLEAN NOT NULL,
    active         BOOLEAN NOT NULL,
    PRIMARY KEY (case_id, department_id)
);
CREATE INDEX case_departments_department ON case_departments (department_id, case_id);

CREATE TABLE case_events (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    seq          INTEGER NOT NULL,
    actor_id     INTEGER NULL REFERENCES accounts (id),
    at           TEXT    NOT NULL,
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    note         TEXT    NULL,
    payload      TEXT    NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE INDEX case_events_at ON case_events (at);

CREATE TABLE case_parties (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    role            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    id_card_enc     TEXT    NULL,
    id_card_index   TEXT    NULL,
    id_card_masked  TEXT    NULL,
    phone_enc       TEXT    NULL,
    phone_index     TEXT    NULL,
    phone_masked    TEXT    NULL
);
CREATE INDEX case_parties_case ON case_parties (case_id);
CREATE INDEX case_parties_id_card ON case_parties (id_card_index) WHERE id_card_index IS NOT NULL;
CREATE INDEX case_parties_phone ON case_parties (phone_index) WHERE phone_index IS NOT NULL;

CREATE TABLE case_attachments (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    content_hash  TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    uploaded_by   INTEGER NULL REFERENCES accounts (id),
    uploaded_at   TEXT    NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);
CREATE INDEX case_attachments_hash ON case_attachments (content_hash);

-- Segmented search text (jieba terms), contentless: rowid = cases.id.
CREATE VIRTUAL TABLE case_search USING fts5 (terms, content = '', detail = none);

CREATE TABLE time_limits (
    id                INTEGER PRIMARY KEY,
    category_code     TEXT    NULL REFERENCES categories (code),
    tier              TEXT    NULL,
    urgency           TEXT    NULL,
    complexity        TEXT    NULL,
    channel           TEXT    NULL,
    accept_amount     INTEGER NOT NULL,
    accept_unit       TEXT    NOT NULL,
    finish_amount     INTEGER NOT NULL,
    finish_unit       TEXT    NOT NULL,
    active            BOOLEAN NOT NULL,
    updated_at        TEXT    NOT NULL
);

CREATE TABLE calendar_days (
    day         TEXT    PRIMARY KEY NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('holiday', 'makeup_workday')),
    name        TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
