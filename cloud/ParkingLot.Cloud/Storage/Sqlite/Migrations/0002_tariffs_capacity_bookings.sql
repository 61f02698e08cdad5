-- Lot administration, tariffs, the capacity split (I2) and bookings. The embedded store has no
-- exclusion constraint: I1 holds because every booking insert is a check-and-insert inside one
-- BEGIN IMMEDIATE transaction (one writer at a time). Times of bookings are Unix milliseconds
-- so window comparisons are integer comparisons.

ALTER TABLE lots ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '[]';
-- Comma-separated camelCase vehicle type names.
ALTER TABLE lots ADD COLUMN vehicle_types TEXT NOT NULL DEFAULT '';
ALTER TABLE lots ADD COLUMN tariff_version TEXT;
ALTER TABLE lots ADD COLUMN capacity_version INTEGER NOT NULL DEFAULT 0;

-- Nearest the entrance first: the order of the lot file or of the bulk add.
ALTER TABLE spots ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
CREATE INDEX spots_by_type ON spots (lot_id, vehicle_type, rank, spot_id);

UPDATE lots SET vehicle_types = coalesce((SELECT group_concat(DISTINCT s.vehicle_type) FROM spots s WHERE s.lot_id = lots.lot_id), '');

CREATE TABLE lot_tariffs (
    lot_id        TEXT NOT NULL REFERENCES lots (lot_id),
    version       TEXT NOT NULL,
    definition    TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    PRIMARY KEY (lot_id, version)
) WITHOUT ROWID;

CREATE TABLE capacity_splits (
    lot_id        TEXT NOT NULL REFERENCES lots (lot_id),
    vehicle_type  TEXT NOT NULL,
    reservable    INTEGER NOT NULL CHECK (reservable >= 0),
    version       INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (lot_id, vehicle_type)
) WITHOUT ROWID;

CREATE TABLE bookings (
    booking_id      TEXT PRIMARY KEY,
    lot_id          TEXT NOT NULL,
    spot_id         TEXT NOT NULL,
    vehicle_type    TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    plate           TEXT,
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER NOT NULL CHECK (end_ms > start_ms),
    status          TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    tariff_version  TEXT NOT NULL,
    demand_percent  INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at_ms   INTEGER,
    cancelled_at    TEXT,
    refund_minor    INTEGER,
    version         INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

CREATE INDEX bookings_lot_window ON bookings (lot_id, vehicle_type, start_ms) WHERE status IN ('held', 'confirmed');
CREATE INDEX bookings_by_user ON bookings (user_id, created_at DESC);
CREATE INDEX bookings_holds_by_expiry ON bookings (expires_at_ms) WHERE status = 'held';
