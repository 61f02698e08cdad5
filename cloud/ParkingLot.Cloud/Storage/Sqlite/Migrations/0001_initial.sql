-- The walking skeleton's schema. IF NOT EXISTS: stores created before migrations were versioned
-- already hold these tables, and this script must leave them as they are.
-- Migrations run at start in file-name order (DbUp, journal table SchemaVersions).

CREATE TABLE IF NOT EXISTS lots (
    lot_id      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    lat         REAL,
    lng         REAL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS spots (
    lot_id        TEXT NOT NULL REFERENCES lots (lot_id),
    spot_id       TEXT NOT NULL,
    vehicle_type  TEXT NOT NULL,
    zone          TEXT NOT NULL,
    sensor_id     TEXT,
    occupied      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (lot_id, spot_id)
) WITHOUT ROWID;

-- Vehicles inside by type, counted at the gates (entries minus exits).
CREATE TABLE IF NOT EXISTS lot_vehicles (
    lot_id        TEXT NOT NULL,
    vehicle_type  TEXT NOT NULL,
    vehicles_in   INTEGER NOT NULL,
    PRIMARY KEY (lot_id, vehicle_type)
) WITHOUT ROWID;

-- Every applied edge event, raw payload kept; the key is what makes apply idempotent (I4).
CREATE TABLE IF NOT EXISTS edge_events (
    lot_id        TEXT NOT NULL,
    epoch         INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    id            TEXT NOT NULL,
    type          TEXT NOT NULL,
    occurred_at   TEXT NOT NULL,
    time_quality  TEXT NOT NULL,
    payload       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (lot_id, epoch, seq)
) WITHOUT ROWID;

-- Highest contiguous seq applied per lot and ledger epoch, and that event's hash.
CREATE TABLE IF NOT EXISTS edge_cursors (
    lot_id      TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    high_water  INTEGER NOT NULL,
    last_hash   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (lot_id, epoch)
) WITHOUT ROWID;

-- Money taken at the edge, for the revenue reconciliation of I5.
CREATE TABLE IF NOT EXISTS edge_payments (
    lot_id          TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    ticket_id       TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    method          TEXT NOT NULL,
    tariff_version  TEXT NOT NULL,
    epoch           INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    occurred_at     TEXT NOT NULL,
    PRIMARY KEY (lot_id, payment_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS edge_health (
    lot_id         TEXT PRIMARY KEY,
    online         INTEGER NOT NULL,
    agent_version  TEXT NOT NULL,
    boot_id        TEXT NOT NULL,
    epoch          INTEGER NOT NULL,
    last_seq       INTEGER NOT NULL,
    backlog        INTEGER NOT NULL,
    time_quality   TEXT NOT NULL,
    sent_at        TEXT NOT NULL,
    received_at    TEXT NOT NULL
) WITHOUT ROWID;
