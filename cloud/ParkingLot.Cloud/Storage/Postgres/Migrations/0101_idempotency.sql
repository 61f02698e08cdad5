-- Idempotency-Key of creating POSTs: the first response per (caller, key), kept until expires_at.
-- status_code is NULL while the first request still runs (claimed until locked_until).
-- The same table as Sqlite/Migrations/0101_idempotency.sql (Redis replaces it when configured).

CREATE TABLE idempotency_keys (
    scope            text NOT NULL,
    idempotency_key  text NOT NULL,
    fingerprint      text NOT NULL,
    status_code      integer,
    content_type     text,
    location         text,
    body             bytea,
    locked_until     timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
