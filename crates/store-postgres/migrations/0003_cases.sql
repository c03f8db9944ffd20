-- Cases, their append-only history, parties, attachments, the time-limit table and the
-- working-time calendar (docs/SCHEMA.md). The `cases` row is a projection of
-- `case_events`, written in the same transaction as each event.

CREATE TABLE cases (
    id                      BIGSERIAL PRIMARY KEY,
    tracking_no             TEXT COLLATE "C" NOT NULL,
    version                 BIGINT NOT NULL,
    channel                 TEXT NOT NULL,
    category_code           TEXT COLLATE "C" NOT NULL REFERENCES categories (code),
    urgency                 TEXT NOT NULL,
    complexity              TEXT NOT NULL,
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL,
    occurred_at             TIMESTAMPTZ NULL,
    reported_at             TIMESTAMPTZ NOT NULL,
    address                 TEXT NULL,
    org_unit_id             BIGINT NOT NULL REFERENCES org_units (id),
    org_path                TEXT COLLATE "C" NOT NULL,
    lat                     DOUBLE PRECISION NULL,
    lng                     DOUBLE PRECISION NULL,
    people_involved         INTEGER NULL,
    amount_fen              BIGINT NULL,
    status                  TEXT NOT NULL,
    center_unit_id          BIGINT NOT NULL REFERENCES org_units (id),
    center_path             TEXT COLLATE "C" NOT NULL,
    holder_department_id    BIGINT NULL REFERENCES departments (id),
    holder_unit_id          BIGINT NULL REFERENCES org_units (id),
    holder_path             TEXT COLLATE "C" NULL,
    accept_deadline         TIMESTAMPTZ NULL,
    finish_deadline         TIMESTAMPTZ NULL,
    finish_unit             TEXT NULL,
    due_at                  TIMESTAMPTZ NULL,
    warn_at                 TIMESTAMPTZ NULL,
    deadline_state          TEXT NOT NULL,
    ever_overdue            BOOLEAN NOT NULL,
    extension_pending       BOOLEAN NOT NULL,
    pending_extension_days  INTEGER NULL,
    verification_passed     BOOLEAN NULL,
    last_rating             TEXT NULL,
    rating                  TEXT NULL,
    accepted_at             TIMESTAMPTZ NULL,
    resolved_at             TIMESTAMPTZ NULL,
    closed_at               TIMESTAMPTZ NULL,
    archived_at             TIMESTAMPTZ NULL,
    outcome                 TEXT NULL,
    supervision_level       TEXT NULL,
    master_case_id          BIGINT NULL REFERENCES cases (id),
    reopen_count            INTEGER NOT NULL,
    created_by              BIGINT NULL REFERENCES accounts (id),
    idempotency_key         TEXT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    search_terms            TSVECTOR NOT NULL,
    CONSTRAINT cases_tracking_no_key UNIQUE (tracking_no),
    CONSTRAINT cases_idempotency_key UNIQUE (created_by, idempotency_key)
);
CREATE INDEX cases_org_path_idx ON cases (org_path, id);
CREATE INDEX cases_center_path_idx ON cases (center_path, id);
CREATE INDEX cases_holder_path_idx ON cases (holder_path, id) WHERE holder_path IS NOT NULL;
CREATE INDEX cases_status_idx ON cases (status, id);
CREATE INDEX cases_category_idx ON cases (category_code, id);
CREATE INDEX cases_reported_idx ON cases (reported_at, id);
CREATE INDEX cases_due_idx ON cases (due_at, id) WHERE due_at IS NOT NULL;
-- The deadline job's two questions: past due and not yet marked 超期, and 预警 time reached
-- while still normal. A running deadline (`due_at`) exists only while assigned or in progress.
CREATE INDEX cases_unmarked_due_idx ON cases (due_at, id)
    WHERE due_at IS NOT NULL AND deadline_state <> 'overdue';
CREATE INDEX cases_warn_idx ON cases (warn_at) WHERE due_at IS NOT NULL AND deadline_state = 'normal';
CREATE INDEX cases_master_idx ON cases (master_case_id) WHERE master_case_id IS NOT NULL;
CREATE INDEX cases_search_idx ON cases USING GIN (search_terms);

-- Departments that lead or co-handle a case, now (`active`) or before: a department
-- handler sees every case their department has held.
CREATE TABLE case_departments (
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    department_id  BIGINT NOT NULL REFERENCES departments (id),
    lead           BOOLEAN NOT NULL,
    active         BOOLEAN NOT NULL,
    CONSTRAINT case_departments_pkey PRIMARY KEY (case_id, department_id)
);
CREATE INDEX case_departments_department_idx ON case_departments (department_id, case_id);

CREATE TABLE case_events (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    seq          BIGINT NOT NULL,
    actor_id     BIGINT NULL REFERENCES accounts (id),
    at           TIMESTAMPTZ NOT NULL,
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    note         TEXT NULL,
    payload      JSONB NOT NULL,
    CONSTRAINT case_events_case_seq_key UNIQUE (case_id, seq)
);
CREATE INDEX case_events_at_idx ON case_events (at);

CREATE TABLE case_parties (
    id              BIGSERIAL PRIMARY KEY,
    case_id         BIGINT NOT NULL REFERENCES cases (id),
    role            TEXT NOT NULL,
    name            TEXT NOT NULL,
    id_card_enc     TEXT NULL,
    id_card_index   TEXT NULL,
    id_card_masked  TEXT NULL,
    phone_enc       TEXT NULL,
    phone_index     TEXT NULL,
    phone_masked    TEXT NULL
);
CREATE INDEX case_parties_case_idx ON case_parties (case_id);
CREATE INDEX case_parties_id_card_idx ON case_parties (id_card_index) WHERE id_card_index IS NOT NULL;
CREATE INDEX case_parties_phone_idx ON case_parties (phone_index) WHERE phone_index IS NOT NULL;

CREATE TABLE case_attachments (
    id            BIGSERIAL PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    content_hash  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    uploaded_by   BIGINT NULL REFERENCES accounts (id),
    uploaded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_attachments_case_idx ON case_attachments (case_id);
CREATE INDEX case_attachments_hash_idx ON case_attachments (content_hash);

CREATE TABLE time_limits (
    id                BIGSERIAL PRIMARY KEY,
    category_code     TEXT COLLATE "C" NULL REFERENCES categories (code),
    tier              TEXT NULL,
    urgency           TEXT NULL,
    complexity        TEXT NULL,
    channel           TEXT NULL,
    accept_amount     INTEGER NOT NULL,
    accept_unit       TEXT NOT NULL,
    finish_amount     INTEGER NOT NULL,
    finish_unit       TEXT NOT NULL,
    active            BOOLEAN NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE calendar_days (
    day         DATE NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'makeup_workday')),
    name        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT calendar_days_pkey PRIMARY KEY (day)
);
