-- Lots, spots and edge ingest: the tables of the embedded store, in PostgreSQL types.
-- Migrations run at start in file-name order (DbUp, one transaction per script, journal table
-- schemaversions); never edit a script that has shipped, add the next one.

CREATE TABLE lots (
    lot_id          text PRIMARY KEY,
    name            text NOT NULL,
    time_zone       text NOT NULL,
    lat             double precision,
    lng             double precision,
    -- JSON array of { days, open, close }; empty = always open.
    opening_hours   text NOT NULL DEFAULT '[]',
    -- Vehicle types the lot takes (camelCase names as on the wire).
    vehicle_types   text[] NOT NULL DEFAULT '{}',
    tariff_version  text,
    capacity_version integer NOT NULL DEFAULT 0
);

CREATE TABLE spots (
    lot_id        text NOT NULL REFERENCES lots (lot_id),
    spot_id       text NOT NULL,
    vehicle_type  text NOT NULL,
    zone          text NOT NULL,
    sensor_id     text,
    -- Nearest the entrance first: the order of the lot file or of the bulk add.
    rank          integer NOT NULL DEFAULT 0,
    occupied      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (lot_id, spot_id)
);

CREATE INDEX spots_by_type ON spots (lot_id, vehicle_type, rank, spot_id);

-- Vehicles inside by type, counted at the gates (entries minus exits).
CREATE TABLE lot_vehicles (
    lot_id        text NOT NULL,
    vehicle_type  text NOT NULL,
    vehicles_in   bigint NOT NULL,
    PRIMARY KEY (lot_id, vehicle_type)
);

-- Every applied edge event, raw payload text kept byte for byte (the hash covers it); the key is
-- what makes apply idempotent (I4).
CREATE TABLE edge_events (
    lot_id        text NOT NULL,
    epoch         bigint NOT NULL,
    seq           bigint NOT NULL,
    id            uuid NOT NULL,
    type          text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    time_quality  text NOT NULL,
    payload       text NOT NULL,
    prev_hash     text NOT NULL,
    hash          text NOT NULL,
    received_at   timestamptz NOT NULL,
    PRIMARY KEY (lot_id, epoch, seq)
);

-- Highest contiguous seq applied per lot and ledger epoch, and that event's hash.
CREATE TABLE edge_cursors (
    lot_id      text NOT NULL,
    epoch       bigint NOT NULL,
    high_water  bigint NOT NULL,
    last_hash   text NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (lot_id, epoch)
);

-- Money taken at the edge, for the revenue reconciliation of I5.
CREATE TABLE edge_payments (
    lot_id          text NOT NULL,
    payment_id      text NOT NULL,
    ticket_id       text NOT NULL,
    amount_minor    bigint NOT NULL,
    currency        text NOT NULL,
    method          text NOT NULL,
    tariff_version  text NOT NULL,
    epoch           bigint NOT NULL,
    seq             bigint NOT NULL,
    occurred_at     timestamptz NOT NULL,
    PRIMARY KEY (lot_id, payment_id)
);

CREATE TABLE edge_health (
    lot_id         text PRIMARY KEY,
    online         boolean NOT NULL,
    agent_version  text NOT NULL,
    boot_id        uuid NOT NULL,
    epoch          bigint NOT NULL,
    last_seq       bigint NOT NULL,
    backlog        bigint NOT NULL,
    time_quality   text NOT NULL,
    sent_at        timestamptz NOT NULL,
    received_at    timestamptz NOT NULL
);
