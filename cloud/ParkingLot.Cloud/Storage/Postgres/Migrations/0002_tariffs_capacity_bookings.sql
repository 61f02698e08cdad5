-- Tariffs, the capacity split (I2) and bookings with the no-double-booking constraint (I1).

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Every published tariff of a lot, kept so a booking's locked tariff version stays resolvable (I6).
-- lots.tariff_version names the one in force. definition is the canonical JSON text.
CREATE TABLE lot_tariffs (
    lot_id        text NOT NULL REFERENCES lots (lot_id),
    version       text NOT NULL,
    definition    text NOT NULL,
    published_at  timestamptz NOT NULL,
    PRIMARY KEY (lot_id, version)
);

-- The cloud-owned reservable share per lot and vehicle type (I2); the edge owns the rest (walk-ins).
-- version is lots.capacity_version when the row was last set. Bookings lock the row (FOR UPDATE)
-- so the share check and the insert are one step per (lot, vehicle type).
CREATE TABLE capacity_splits (
    lot_id        text NOT NULL REFERENCES lots (lot_id),
    vehicle_type  text NOT NULL,
    reservable    integer NOT NULL CHECK (reservable >= 0),
    version       integer NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (lot_id, vehicle_type)
);

CREATE TABLE bookings (
    booking_id      uuid PRIMARY KEY,
    lot_id          text NOT NULL,
    spot_id         text NOT NULL,
    vehicle_type    text NOT NULL,
    user_id         text NOT NULL,
    plate           text,
    -- [start, end): back-to-back bookings of one spot do not overlap.
    period          tstzrange NOT NULL CHECK (NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period)),
    status          text NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
    amount_minor    bigint NOT NULL,
    currency        text NOT NULL,
    tariff_version  text NOT NULL,
    demand_percent  integer NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    cancelled_at    timestamptz,
    refund_minor    bigint,
    version         integer NOT NULL DEFAULT 1,
    -- I1: no two held/confirmed bookings of one spot overlap. Spot ids are unique per lot, so the
    -- lot is part of the key. A stale hold (held, expires_at passed) still counts here, which is
    -- why every insert first expires the stale holds of its lot and vehicle type.
    CONSTRAINT bookings_no_double_booking
        EXCLUDE USING gist (lot_id WITH =, spot_id WITH =, period WITH &&)
        WHERE (status IN ('held', 'confirmed'))
);

-- Lot-wide window queries (capacity check, reserved counts) without scanning other lots.
CREATE INDEX bookings_lot_period ON bookings USING gist (lot_id, period) WHERE status IN ('held', 'confirmed');
CREATE INDEX bookings_by_user ON bookings (user_id, created_at DESC);
CREATE INDEX bookings_holds_by_expiry ON bookings (expires_at) WHERE status = 'held';
