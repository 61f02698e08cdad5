-- Payments and the booking lifecycle (the same tables as Postgres/Migrations/0200_payments.sql).
-- SQLite cannot change a CHECK constraint in place, so bookings is rebuilt: its status may now be
-- 'refunded' (a confirmed booking cancelled with money back), and pass_revoked_at records when the
-- pass of a confirmed booking stopped being valid (the lease log carries it to the gates).
CREATE TABLE bookings_0200 (
    booking_id      TEXT PRIMARY KEY,
    lot_id          TEXT NOT NULL,
    spot_id         TEXT NOT NULL,
    vehicle_type    TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    plate           TEXT,
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER NOT NULL CHECK (end_ms > start_ms),
    status          TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired', 'refunded')),
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    tariff_version  TEXT NOT NULL,
    demand_percent  INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at_ms   INTEGER,
    cancelled_at    TEXT,
    refund_minor    INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    pass_revoked_at TEXT
) WITHOUT ROWID;

INSERT INTO bookings_0200 (booking_id, lot_id, spot_id, vehicle_type, user_id, plate, start_ms, end_ms, status, amount_minor,
    currency, tariff_version, demand_percent, created_at, expires_at_ms, cancelled_at, refund_minor, version)
SELECT booking_id, lot_id, spot_id, vehicle_type, user_id, plate, start_ms, end_ms, status, amount_minor,
    currency, tariff_version, demand_percent, created_at, expires_at_ms, cancelled_at,
    -- Before payments a cancelled hold recorded a "refund" of money never taken: none was paid.
    CASE WHEN status = 'cancelled' THEN 0 ELSE refund_minor END, version
FROM bookings;

DROP TABLE bookings;
ALTER TABLE bookings_0200 RENAME TO bookings;

CREATE INDEX bookings_lot_window ON bookings (lot_id, vehicle_type, start_ms) WHERE status IN ('held', 'confirmed');
CREATE INDEX bookings_by_user ON bookings (user_id, created_at DESC);
CREATE INDEX bookings_holds_by_expiry ON bookings (expires_at_ms) WHERE status = 'held';
CREATE INDEX bookings_active_starts ON bookings (start_ms) WHERE status IN ('held', 'confirmed');
CREATE INDEX bookings_active_ends ON bookings (end_ms) WHERE status IN ('held', 'confirmed');

-- One row per payment attempt of a booking. At most one attempt per booking is open (pending) at a
-- time, so two requests can never start two charges; the gateway's idempotency key is derived from
-- (booking, attempt). The caller's Idempotency-Key is stored on the attempt it created, in the same
-- transaction.
CREATE TABLE payments (
    payment_id       TEXT PRIMARY KEY,
    booking_id       TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    attempt          INTEGER NOT NULL,
    idempotency_key  TEXT,
    gateway          TEXT NOT NULL CHECK (gateway IN ('stripe', 'test')),
    intent_id        TEXT UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency         TEXT NOT NULL,
    lot_id           TEXT NOT NULL,
    error            TEXT,
    created_at       TEXT NOT NULL,
    succeeded_at     TEXT,
    UNIQUE (booking_id, attempt),
    UNIQUE (user_id, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX payments_by_booking ON payments (booking_id);

-- Money given back, per payment. pending until the gateway answered; the amount is decided by the
-- lot's refund policy when the booking is cancelled.
CREATE TABLE refunds (
    refund_id          TEXT PRIMARY KEY,
    payment_id         TEXT NOT NULL REFERENCES payments (payment_id),
    booking_id         TEXT NOT NULL,
    lot_id             TEXT NOT NULL,
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    gateway_refund_id  TEXT,
    reason             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    completed_at       TEXT
) WITHOUT ROWID;
CREATE INDEX refunds_by_booking ON refunds (booking_id);

-- Stripe events already applied: a replayed webhook changes nothing.
CREATE TABLE payment_events (
    event_id     TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    received_at  TEXT NOT NULL
) WITHOUT ROWID;
