-- Idempotency-Key of creating POSTs: the first response per (caller, key), kept until expires_at.
-- status_code is NULL while the first request still runs (claimed until locked_until).
-- The same table as Postgres/Migrations/0101_idempotency.sql (Redis replaces it when configured).

CREATE TABLE idempotency_keys (
    scope            TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    status_code      INTEGER,
    content_type     TEXT,
    location         TEXT,
    body             BLOB,
    locked_until     TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
