-- Payments and the booking lifecycle (the same tables as Sqlite/Migrations/0200_payments.sql).
-- A booking may now be 'refunded' (a confirmed booking cancelled with money back), and
-- pass_revoked_at records when the pass of a confirmed booking stopped being valid.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired', 'refunded'));
ALTER TABLE bookings ADD COLUMN pass_revoked_at timestamptz;
-- Before payments a cancelled hold recorded a "refund" of money never taken: none was paid.
UPDATE bookings SET refund_minor = 0 WHERE status = 'cancelled';

-- One row per payment attempt of a booking. At most one attempt per booking is open (pending) at a
-- time, so two requests can never start two charges; the gateway's idempotency key is derived from
-- (booking, attempt). The caller's Idempotency-Key is stored on the attempt it created, in the same
-- transaction.
CREATE TABLE payments (
    payment_id       uuid PRIMARY KEY,
    booking_id       uuid NOT NULL REFERENCES bookings (booking_id),
    user_id          text NOT NULL,
    attempt          integer NOT NULL,
    idempotency_key  text,
    gateway          text NOT NULL CHECK (gateway IN ('stripe', 'test')),
    intent_id        text UNIQUE,
    status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    amount_minor     bigint NOT NULL CHECK (amount_minor >= 0),
    currency         text NOT NULL,
    lot_id           text NOT NULL,
    error            text,
    created_at       timestamptz NOT NULL,
    succeeded_at     timestamptz,
    UNIQUE (booking_id, attempt),
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX payments_by_booking ON payments (booking_id);

-- Money given back, per payment. pending until the gateway answered; the amount is decided by the
-- lot's refund policy when the booking is cancelled.
CREATE TABLE refunds (
    refund_id          uuid PRIMARY KEY,
    payment_id         uuid NOT NULL REFERENCES payments (payment_id),
    booking_id         uuid NOT NULL,
    lot_id             text NOT NULL,
    amount_minor       bigint NOT NULL CHECK (amount_minor > 0),
    currency           text NOT NULL,
    status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    gateway_refund_id  text,
    reason             text NOT NULL,
    created_at         timestamptz NOT NULL,
    completed_at       timestamptz
);
CREATE INDEX refunds_by_booking ON refunds (booking_id);

-- Stripe events already applied: a replayed webhook changes nothing.
CREATE TABLE payment_events (
    event_id     text PRIMARY KEY,
    type         text NOT NULL,
    received_at  timestamptz NOT NULL
);
