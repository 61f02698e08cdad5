namespace ParkingLot.Edge.Ledger;

/// <summary>
/// DDL of the ledger. <c>events</c> is the append-only, hash-chained truth; every other table is
/// derived from it in the same transaction and can be rebuilt from it (<see cref="LedgerStore.RebuildStateAsync"/>).
/// Version 2 added the lane tables (<c>lanes</c>, <c>inside</c>, <c>gate_counts</c>); a version-1 ledger
/// gets them on open, filled by a rebuild from its events.
/// </summary>
internal static class LedgerSchema
{
    public const int Version = 2;

    // The triggers stop our own code (and a careless technician with sqlite3) from rewriting history;
    // they are no defence against someone who drops them first, which is what the hash chain is for.
    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS events(
            seq          INTEGER PRIMARY KEY,
            id           TEXT NOT NULL UNIQUE,
            type         TEXT NOT NULL,
            occurred_at  TEXT NOT NULL,
            time_quality TEXT NOT NULL,
            payload      TEXT NOT NULL,
            prev_hash    TEXT NOT NULL,
            hash         TEXT NOT NULL);

        CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;

        CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END;

        CREATE TABLE IF NOT EXISTS sessions(
            ticket_id      TEXT PRIMARY KEY,
            vehicle_type   TEXT NOT NULL,
            status         TEXT NOT NULL,
            entry_gate     TEXT,
            code           TEXT,
            issued_at      TEXT,
            entered_at     TEXT,
            exit_gate      TEXT,
            exited_at      TEXT,
            fee_minor      INTEGER,
            fee_currency   TEXT,
            tariff_version TEXT,
            updated_seq    INTEGER NOT NULL);

        CREATE INDEX IF NOT EXISTS sessions_status ON sessions(status);

        CREATE TABLE IF NOT EXISTS spots(
            spot_id      TEXT PRIMARY KEY,
            vehicle_type TEXT NOT NULL,
            sensor_id    TEXT NOT NULL,
            occupied     INTEGER NOT NULL,
            changed_at   TEXT NOT NULL,
            updated_seq  INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS payments(
            payment_id     TEXT PRIMARY KEY,
            ticket_id      TEXT NOT NULL,
            amount_minor   INTEGER NOT NULL,
            currency       TEXT NOT NULL,
            method         TEXT NOT NULL,
            tariff_version TEXT NOT NULL,
            recorded_at    TEXT NOT NULL,
            seq            INTEGER NOT NULL);

        -- One row per lane: where its current cycle stands (the state machine's durable half), the
        -- last barrier command, an open fault (out of service until reset) and the tailgate count.
        CREATE TABLE IF NOT EXISTS lanes(
            gate_id         TEXT PRIMARY KEY,
            state           TEXT NOT NULL,
            cycle_id        TEXT,
            ticket_id       TEXT,
            vehicle_type    TEXT,
            credential_kind TEXT,
            credential_id   TEXT,
            basis           TEXT,
            fee_minor       INTEGER,
            fee_currency    TEXT,
            tariff_version  TEXT,
            barrier_open    INTEGER NOT NULL DEFAULT 0,
            fault           TEXT,
            tailgates       INTEGER NOT NULL DEFAULT 0,
            updated_seq     INTEGER NOT NULL) WITHOUT ROWID;

        -- Passes and permits whose vehicle is inside (anti-passback), keyed '<kind>:<id>'.
        CREATE TABLE IF NOT EXISTS inside(
            credential_key TEXT PRIMARY KEY,
            kind           TEXT NOT NULL,
            credential_id  TEXT NOT NULL,
            ticket_id      TEXT NOT NULL,
            gate_id        TEXT NOT NULL,
            seq            INTEGER NOT NULL) WITHOUT ROWID;

        CREATE INDEX IF NOT EXISTS inside_ticket ON inside(ticket_id);

        -- Vehicles inside by gate count, per vehicle type and basis (walkIn, pass, permit, tailgate):
        -- the walk-in occupancy of invariant I2 is walkIn + tailgate.
        CREATE TABLE IF NOT EXISTS gate_counts(
            vehicle_type TEXT NOT NULL,
            basis        TEXT NOT NULL,
            inside       INTEGER NOT NULL,
            PRIMARY KEY (vehicle_type, basis)) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS sync_state(
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            acked_seq INTEGER NOT NULL,
            acked_at  TEXT);
        """;

    /// <summary>Derived tables, in the order <see cref="LedgerStore.RebuildStateAsync"/> clears them.</summary>
    public static readonly string[] StateTables = ["sessions", "spots", "payments", "lanes", "inside", "gate_counts"];
}
