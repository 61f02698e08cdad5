using System.Globalization;
using Microsoft.Data.Sqlite;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

// Lane state, meta values, durability checks and the compacted copy. Reads go through the reader
// connection like every other query; writes through the single writer, durable like an append.
internal sealed partial class LedgerStore
{
    /// <summary>The lane row of <paramref name="gateId"/>, or null when the lane never ran.</summary>
    public async Task<LaneRecord?> GetLaneAsync(string gateId, CancellationToken cancellationToken = default)
    {
        var lanes = await QueryLanesAsync("WHERE gate_id = $p", gateId, cancellationToken);
        return lanes.Count == 0 ? null : lanes[0];
    }

    /// <summary>Every lane that ever recorded a step.</summary>
    public Task<IReadOnlyList<LaneRecord>> GetLanesAsync(CancellationToken cancellationToken = default) =>
        QueryLanesAsync("ORDER BY gate_id", null, cancellationToken);

    /// <summary>Vehicles inside by gate count, per vehicle type and basis (walkIn, pass, permit, tailgate).</summary>
    public Task<IReadOnlyList<GateCount>> GetGateCountsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<GateCount>>(async (c, ct) =>
        {
            var counts = new List<GateCount>();
            await using var command = Command(c, "SELECT vehicle_type, basis, inside FROM gate_counts WHERE inside > 0 ORDER BY vehicle_type, basis");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                counts.Add(new GateCount(LedgerText.Parse<VehicleType>(rows.GetString(0)), rows.GetString(1), rows.GetInt32(2)));
            }

            return counts;
        }, cancellationToken);

    /// <summary>
    /// Walk-in occupancy of <paramref name="vehicleType"/> for invariant I2: walk-ins and tailgaters
    /// inside by gate count, plus walk-ins admitted at a lane that have not passed yet (so two entry
    /// lanes cannot both sell the last walk-in space).
    /// </summary>
    public Task<int> GetWalkInOccupancyAsync(VehicleType vehicleType, CancellationToken cancellationToken = default) =>
        ReadAsync(async (c, ct) =>
        {
            await using var command = Command(c, """
                SELECT (SELECT coalesce(sum(inside), 0) FROM gate_counts WHERE vehicle_type = $type AND basis IN ('walkIn', 'tailgate'))
                     + (SELECT count(*) FROM lanes WHERE vehicle_type = $type AND basis = 'walkIn' AND state IN ('admitted', 'open', 'passing'))
                """, "$type");
            command.Parameters[0].Value = LedgerText.Name(vehicleType);
            return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }, cancellationToken);

    /// <summary>
    /// Why an admission at <paramref name="gateId"/> would let one credential or one stay through
    /// twice, or null when it would not: an entry whose pass or permit is inside or already admitted
    /// at another lane (anti-passback), an exit whose stay has already left or is leaving at another
    /// lane (a used ticket). Lanes call this under the lot's admission lock, right before they append
    /// <c>lane.admitted</c>, so two lanes deciding at the same instant admit once.
    /// </summary>
    public Task<string?> GetAdmissionConflictAsync(string gateId, bool entry, CredentialKind kind, string? credentialId, string ticketId, CancellationToken cancellationToken = default) =>
        ReadAsync(async (c, ct) =>
        {
            await using var command = entry
                ? Command(c, """
                    SELECT CASE WHEN EXISTS (SELECT 1 FROM inside WHERE credential_key = $kind || ':' || $credential) THEN 'inside'
                                WHEN EXISTS (SELECT 1 FROM lanes WHERE gate_id <> $gate AND credential_kind = $kind AND credential_id = $credential
                                             AND state IN ('admitted', 'open', 'passing')) THEN 'entering' END
                    """, "$gate", "$kind", "$credential")
                : Command(c, """
                    SELECT CASE WHEN EXISTS (SELECT 1 FROM sessions WHERE ticket_id = $ticket AND status = 'closed') THEN 'left'
                                WHEN EXISTS (SELECT 1 FROM lanes WHERE gate_id <> $gate AND ticket_id = $ticket
                                             AND state IN ('admitted', 'open', 'passing')) THEN 'leaving' END
                    """, "$gate", "$ticket");
            command.Parameters[0].Value = gateId;
            if (entry)
            {
                if (kind is not (CredentialKind.Pass or CredentialKind.Permit) || credentialId is null)
                {
                    return null;
                }

                command.Parameters[1].Value = LedgerText.Name(kind);
                command.Parameters[2].Value = credentialId;
            }
            else
            {
                command.Parameters[1].Value = ticketId;
            }

            return await command.ExecuteScalarAsync(ct) as string;
        }, cancellationToken);

    /// <summary>The session (ticket) id whose signed code is <paramref name="code"/> (a ticket as scanned at the kiosk or by parkctl), or null.</summary>
    public Task<string?> GetTicketIdByCodeAsync(string code, CancellationToken cancellationToken = default) =>
        ReadAsync(async (c, ct) =>
        {
            await using var command = Command(c, "SELECT ticket_id FROM sessions WHERE code = $code LIMIT 1", "$code");
            command.Parameters[0].Value = code;
            return await command.ExecuteScalarAsync(ct) as string;
        }, cancellationToken);

    /// <summary>The session (ticket) id of the pass or permit <paramref name="credentialId"/> when its vehicle is inside, else null.</summary>
    public Task<string?> GetInsideTicketAsync(CredentialKind kind, string credentialId, CancellationToken cancellationToken = default) =>
        ReadAsync(async (c, ct) =>
        {
            await using var command = Command(c, "SELECT ticket_id FROM inside WHERE credential_key = $key", "$key");
            command.Parameters[0].Value = LedgerText.Name(kind) + ":" + credentialId;
            return await command.ExecuteScalarAsync(ct) as string;
        }, cancellationToken);

    /// <summary>Every pass and permit inside: kind, credential id and the session (ticket) id of its stay.</summary>
    public Task<IReadOnlyList<(CredentialKind Kind, string CredentialId, string TicketId)>> GetInsideAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<(CredentialKind, string, string)>>(async (c, ct) =>
        {
            var inside = new List<(CredentialKind, string, string)>();
            await using var command = Command(c, "SELECT kind, credential_id, ticket_id FROM inside ORDER BY seq");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                inside.Add((LedgerText.Parse<CredentialKind>(rows.GetString(0)), rows.GetString(1), rows.GetString(2)));
            }

            return inside;
        }, cancellationToken);

    /// <summary>Payments recorded for one ticket, in seq order.</summary>
    public async Task<IReadOnlyList<PaymentState>> GetTicketPaymentsAsync(string ticketId, CancellationToken cancellationToken = default) =>
        await ReadAsync<IReadOnlyList<PaymentState>>(async (c, ct) =>
        {
            var payments = new List<PaymentState>();
            await using var command = Command(c, "SELECT payment_id, ticket_id, amount_minor, currency, method, tariff_version, recorded_at, seq FROM payments WHERE ticket_id = $ticket ORDER BY seq", "$ticket");
            command.Parameters[0].Value = ticketId;
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                payments.Add(new PaymentState(
                    rows.GetString(0), rows.GetString(1), new Money(rows.GetInt64(2), rows.GetString(3)),
                    LedgerText.Parse<PaymentMethod>(rows.GetString(4)), rows.GetString(5), LedgerText.ParseTime(rows.GetString(6)), rows.GetInt64(7)));
            }

            return payments;
        }, cancellationToken);

    /// <summary>A value of the <c>meta</c> table, or null.</summary>
    public Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken = default) =>
        ReadAsync((c, ct) => ScalarAsync<string>(c, null, $"SELECT value FROM meta WHERE key = '{key.Replace("'", "''", StringComparison.Ordinal)}'", ct), cancellationToken);

    /// <summary>Sets a value of the <c>meta</c> table in its own durable transaction (not an event: meta is local bookkeeping).</summary>
    public async Task SetMetaAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var command = Command(_writer, "INSERT INTO meta(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value", "$key", "$value");
            command.Parameters[0].Value = key;
            command.Parameters[1].Value = value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>journal_mode and synchronous as each of the store's connections reports them (writer first).</summary>
    public async Task<IReadOnlyList<(string JournalMode, long Synchronous)>> GetDurabilitySettingsAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var writer = await DurabilityOfAsync(_writer, cancellationToken);
            var reader = await ReadAsync(DurabilityOfAsync, cancellationToken);
            return [writer, reader];
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes a compacted, consistent copy of the whole ledger to <paramref name="destination"/>
    /// (<c>VACUUM INTO</c> on a separate read-only connection, so appends and reads go on meanwhile)
    /// and flushes it to disk. Returns the last seq the copy holds.
    /// </summary>
    public async Task<long> CompactIntoAsync(string destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var connection = new SqliteConnection(ConnectionString(Path, SqliteOpenMode.ReadOnly));
        await connection.OpenAsync(cancellationToken);
        await using (var command = Command(connection, "VACUUM INTO $path", "$path"))
        {
            command.Parameters[0].Value = destination;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // VACUUM INTO does not promise an fsync of the new file; a copy that vanishes with the next
        // power cut is no copy.
        await using (var file = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            file.Flush(flushToDisk: true);
        }

        await using var copy = new SqliteConnection(ConnectionString(destination, SqliteOpenMode.ReadOnly));
        await copy.OpenAsync(cancellationToken);
        return await ScalarAsync<long?>(copy, null, "SELECT max(seq) FROM events", cancellationToken) ?? 0;
    }

    private static async Task<(string JournalMode, long Synchronous)> DurabilityOfAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        (await ScalarAsync<string>(connection, null, "PRAGMA journal_mode", cancellationToken) ?? "",
         await ScalarAsync<long?>(connection, null, "PRAGMA synchronous", cancellationToken) ?? -1);

    /// <summary>
    /// Refuses a connection that did not take WAL and synchronous=FULL (2): on a file system without
    /// shared memory, or a read-only mount, SQLite keeps another journal mode silently, and a gate or
    /// money event could then be lost in a power cut.
    /// </summary>
    private static async Task EnsureDurableAsync(SqliteConnection connection, string path, CancellationToken cancellationToken)
    {
        var (journal, synchronous) = await DurabilityOfAsync(connection, cancellationToken);
        if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase) || synchronous != 2)
        {
            throw new InvalidOperationException($"The ledger {path} runs with journal_mode={journal}, synchronous={synchronous.ToString(CultureInfo.InvariantCulture)}; it needs WAL and FULL (2). Is the data folder on a local, writable file system?");
        }
    }

    private Task<IReadOnlyList<LaneRecord>> QueryLanesAsync(string where, string? parameter, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<LaneRecord>>(async (c, ct) =>
        {
            var lanes = new List<LaneRecord>();
            await using var command = Command(c, $"""
                SELECT gate_id, state, cycle_id, ticket_id, vehicle_type, credential_kind, credential_id, basis,
                       fee_minor, fee_currency, tariff_version, barrier_open, fault, tailgates, updated_seq
                FROM lanes {where}
                """);
            if (parameter is not null)
            {
                command.Parameters.AddWithValue("$p", parameter);
            }

            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                lanes.Add(new LaneRecord(
                    rows.GetString(0),
                    LedgerText.Parse<LaneStep>(rows.GetString(1)),
                    rows.IsDBNull(2) ? null : rows.GetString(2),
                    rows.IsDBNull(3) ? null : rows.GetString(3),
                    rows.IsDBNull(4) ? null : LedgerText.Parse<VehicleType>(rows.GetString(4)),
                    rows.IsDBNull(5) ? null : LedgerText.Parse<CredentialKind>(rows.GetString(5)),
                    rows.IsDBNull(6) ? null : rows.GetString(6),
                    rows.IsDBNull(7) ? null : rows.GetString(7),
                    LedgerText.Money(rows.IsDBNull(8) ? null : rows.GetInt64(8), rows.IsDBNull(9) ? null : rows.GetString(9)),
                    rows.IsDBNull(10) ? null : rows.GetString(10),
                    rows.GetInt64(11) != 0,
                    rows.IsDBNull(12) ? null : rows.GetString(12),
                    rows.GetInt32(13),
                    rows.GetInt64(14)));
            }

            return lanes;
        }, cancellationToken);
}

/// <summary>The last committed step of a lane's cycle, as the <c>lanes</c> table stores it (camelCase names).</summary>
internal enum LaneStep
{
    Idle,
    Detected,
    Checked,
    Refused,
    Admitted,
    Open,
    Passing,
    Passed,
}

/// <summary>
/// One row of the derived <c>lanes</c> table. <see cref="State"/> is the last committed step of the
/// current cycle. <see cref="Fault"/> is set while the lane is out of service.
/// </summary>
internal sealed record LaneRecord(
    string GateId,
    LaneStep State,
    string? CycleId,
    string? TicketId,
    VehicleType? VehicleType,
    CredentialKind? CredentialKind,
    string? CredentialId,
    string? Basis,
    Money? Fee,
    string? TariffVersion,
    bool BarrierOpen,
    string? Fault,
    int Tailgates,
    long UpdatedSeq);

/// <summary>One row of <c>gate_counts</c>: vehicles of a type inside on a basis (walkIn, pass, permit, tailgate).</summary>
internal sealed record GateCount(VehicleType VehicleType, string Basis, int Inside);
