-- Zongzhi schema for SQLite (see docs/SCHEMA.md). Times are RFC 3339 UTC text with six
-- fractional digits (`2024-01-02T03:04:05.123456Z`), so text order is time order.

CREATE TABLE org_units (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER NULL REFERENCES org_units (id),
    level       TEXT    NOT NULL CHECK (level IN ('city', 'county', 'town', 'village', 'grid')),
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    path        TEXT    NOT NULL UNIQUE,
    geojson     TEXT    NULL,
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE departments (
    id           INTEGER PRIMARY KEY,
    org_unit_id  INTEGER NOT NULL REFERENCES org_units (id),
    name         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('resident', 'rotating', 'liaison')),
    active       BOOLEAN NOT NULL DEFAULT 1,
    created_at   TEXT    NOT NULL,
    UNIQUE (org_unit_id, name)
);

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY,
    username              TEXT    NOT NULL UNIQUE,
    display_name          TEXT    NOT NULL,
    org_unit_id           INTEGER NOT NULL REFERENCES org_units (id),
    department_id         INTEGER NULL REFERENCES departments (id),
    roles                 TEXT    NOT NULL,
    status                TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash         TEXT    NOT NULL,
    phone_enc             TEXT    NULL,
    phone_index           TEXT    NULL,
    phone_masked          TEXT    NULL,
    failed_logins         INTEGER NOT NULL DEFAULT 0,
    locked_until          TEXT    NULL,
    totp_secret_enc       TEXT    NULL,
    totp_enabled          BOOLEAN NOT NULL DEFAULT 0,
    totp_last_step        INTEGER NULL,
    must_change_password  BOOLEAN NOT NULL DEFAULT 0,
    last_login_at         TEXT    NULL,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL
);
CREATE INDEX accounts_org_unit ON accounts (org_unit_id);
CREATE INDEX accounts_phone_index ON accounts (phone_index);

CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token    TEXT    NOT NULL,
    stage         TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY,
    at              TEXT    NOT NULL,
    actor_id        INTEGER NULL,
    actor_username  TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    target_type     TEXT    NOT NULL,
    target_id       TEXT    NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    ip              TEXT    NULL,
    detail          TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_username);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE audit_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq   INTEGER NOT NULL,
    last_hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
