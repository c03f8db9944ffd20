-- The two-level category code table (事件分类代码表, docs/SCHEMA.md). Deployment-wide
-- reference data: rows are never deleted, only deactivated; codes are never reused.
-- Codes use the "C" collation so that ties in sort_order order by code as in SQLite.

CREATE TABLE categories (
    code         TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    parent_code  TEXT COLLATE "C" NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('dispute', 'demand')),
    sort_order   BIGINT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT categories_pkey PRIMARY KEY (code),
    CONSTRAINT categories_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES categories (code)
);
CREATE INDEX categories_parent_idx ON categories (parent_code);
CREATE INDEX categories_order_idx ON categories (sort_order, code);
