-- The two-level category code table (事件分类代码表, docs/SCHEMA.md). Deployment-wide
-- reference data: rows are never deleted, only deactivated; codes are never reused.

CREATE TABLE categories (
    code         TEXT    PRIMARY KEY NOT NULL,
    name         TEXT    NOT NULL,
    parent_code  TEXT    NULL REFERENCES categories (code),
    kind         TEXT    NOT NULL CHECK (kind IN ('dispute', 'demand')),
    sort_order   INTEGER NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT 1,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX categories_parent ON categories (parent_code);
CREATE INDEX categories_order ON categories (sort_order, code);
