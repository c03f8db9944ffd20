-- Initial schema (docs/SCHEMA.md). Paths use the "C" collation so that range
-- comparisons follow byte order, as in SQLite: the subtree range relies on '/' < '0'.

CREATE TABLE org_units (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT NULL REFERENCES org_units (id),
    level       TEXT NOT NULL CHECK (level IN ('city', 'county', 'town', 'village', 'grid')),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    geojson     TEXT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT org_units_code_key UNIQUE (code),
    CONSTRAINT org_units_path_key UNIQUE (path)
);
CREATE INDEX org_units_parent_idx ON org_units (parent_id);

CREATE TABLE departments (
    id           BIGSERIAL PRIMARY KEY,
    org_unit_id  BIGINT NOT NULL REFERENCES org_units (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('resident', 'rotating', 'liaison')),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT departments_unit_name_key UNIQUE (org_unit_id, name)
);

CREATE TABLE accounts (
    id                    BIGSERIAL PRIMARY KEY,
    username              TEXT NOT NULL,
    display_name          TEXT NOT NULL,
    org_unit_id           BIGINT NOT NULL REFERENCES org_units (id),
    department_id         BIGINT NULL REFERENCES departments (id),
    roles                 TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash         TEXT NOT NULL,
    phone_enc             TEXT NULL,
    phone_index           TEXT NULL,
    phone_masked          TEXT NULL,
    failed_logins         BIGINT NOT NULL DEFAULT 0,
    locked_until          TIMESTAMPTZ NULL,
    totp_secret_enc       TEXT NULL,
    totp_enabled          BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step        BIGINT NULL,
    must_change_password  BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at         TIMESTAMPTZ NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    CONSTRAINT accounts_username_key UNIQUE (username)
);
CREATE INDEX accounts_org_unit_idx ON accounts (org_unit_id);
CREATE INDEX accounts_department_idx ON accounts (department_id);
CREATE INDEX accounts_phone_index_idx ON accounts (phone_index);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    stage         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account_idx ON sessions (account_id);

CREATE TABLE audit_log (
    seq             BIGINT PRIMARY KEY,
    at              TIMESTAMPTZ NOT NULL,
    actor_id        BIGINT NULL,
    actor_username  TEXT NOT NULL,
    action          TEXT COLLATE "C" NOT NULL,
    target_type     TEXT NOT NULL,
    target_id       TEXT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    ip              TEXT NULL,
    detail          TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_username, seq);
CREATE INDEX audit_log_action_idx ON audit_log (action, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE audit_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq   BIGINT NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
