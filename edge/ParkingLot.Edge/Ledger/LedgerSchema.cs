namespace ParkingLot.Edge.Ledger;

/// <summary>
/// DDL of ledger v1. <c>events</c> is the append-only, hash-chained truth; every other table is
/// derived from it in the same transaction and can be rebuilt from it (<see cref="LedgerStore.RebuildStateAsync"/>).
/// </summary>
internal static class LedgerSchema
{
    public const int Version = 1;

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

        CREATE TABLE IF NOT EXISTS sync_state(
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            acked_seq INTEGER NOT NULL,
            acked_at  TEXT);
        """;

    /// <summary>Derived tables, in the order <see cref="LedgerStore.RebuildStateAsync"/> clears them.</summary>
    public static readonly string[] StateTables = ["sessions", "spots", "payments"];
}
