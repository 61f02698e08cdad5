using Microsoft.Data.Sqlite;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>Reads beside the writer: events after a seq, and the derived state tables (sessions, spots, occupancy, payments).</summary>
internal sealed partial class LedgerStore
{
    /// <summary>Up to <paramref name="limit"/> events with seq greater than <paramref name="afterSeq"/>, in seq order.</summary>
    public async Task<IReadOnlyList<LedgerEvent>> ReadAfterAsync(long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var events = new List<LedgerEvent>(Math.Min(limit, 1024));
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var command = Command(_reader, """
                SELECT seq, id, type, occurred_at, time_quality, payload, prev_hash, hash
                FROM events WHERE seq > $after ORDER BY seq LIMIT $limit
                """, "$after", "$limit");
            command.Parameters[0].Value = afterSeq;
            command.Parameters[1].Value = limit;
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                events.Add(ReadEvent(rows));
            }
        }
        finally
        {
            _readLock.Release();
        }

        return events;
    }

    /// <summary>Sessions that have not exited (issued tickets whose vehicle may still be at the gate included).</summary>
    public Task<IReadOnlyList<SessionState>> GetOpenSessionsAsync(CancellationToken cancellationToken = default) =>
        QuerySessionsAsync("WHERE status <> 'closed' ORDER BY ticket_id", null, cancellationToken);

    /// <summary>The session of one ticket, or null.</summary>
    public async Task<SessionState?> GetSessionAsync(string ticketId, CancellationToken cancellationToken = default)
    {
        var sessions = await QuerySessionsAsync("WHERE ticket_id = $p", ticketId, cancellationToken);
        return sessions.Count == 0 ? null : sessions[0];
    }

    /// <summary>Every spot a sensor ever reported, with its latest state.</summary>
    public Task<IReadOnlyList<SpotState>> GetSpotsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<SpotState>>(async (c, ct) =>
        {
            var spots = new List<SpotState>();
            await using var command = Command(c, "SELECT spot_id, vehicle_type, sensor_id, occupied, changed_at FROM spots ORDER BY spot_id");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                spots.Add(new SpotState(rows.GetString(0), LedgerText.Parse<VehicleType>(rows.GetString(1)), rows.GetString(2), rows.GetInt64(3) != 0, LedgerText.ParseTime(rows.GetString(4))));
            }

            return spots;
        }, cancellationToken);

    /// <summary>Occupied spots per vehicle type, as the sensors report them.</summary>
    public Task<IReadOnlyDictionary<VehicleType, int>> GetOccupancyAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyDictionary<VehicleType, int>>(async (c, ct) =>
        {
            var counts = Enum.GetValues<VehicleType>().ToDictionary(t => t, _ => 0);
            await using var command = Command(c, "SELECT vehicle_type, count(*) FROM spots WHERE occupied = 1 GROUP BY vehicle_type");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                counts[LedgerText.Parse<VehicleType>(rows.GetString(0))] = rows.GetInt32(1);
            }

            return counts;
        }, cancellationToken);

    /// <summary>Every payment recorded at this edge, in seq order.</summary>
    public Task<IReadOnlyList<PaymentState>> GetPaymentsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<PaymentState>>(async (c, ct) =>
        {
            var payments = new List<PaymentState>();
            await using var command = Command(c, "SELECT payment_id, ticket_id, amount_minor, currency, method, tariff_version, recorded_at, seq FROM payments ORDER BY seq");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                payments.Add(new PaymentState(
                    rows.GetString(0), rows.GetString(1), new Money(rows.GetInt64(2), rows.GetString(3)),
                    LedgerText.Parse<PaymentMethod>(rows.GetString(4)), rows.GetString(5), LedgerText.ParseTime(rows.GetString(6)), rows.GetInt64(7)));
            }

            return payments;
        }, cancellationToken);

    private static LedgerEvent ReadEvent(SqliteDataReader rows) => new(
        rows.GetInt64(0),
        Guid.ParseExact(rows.GetString(1), "N"),
        rows.GetString(2),
        LedgerText.ParseTime(rows.GetString(3)),
        LedgerText.Parse<TimeQuality>(rows.GetString(4)),
        ParseJson(rows.GetString(5)),
        rows.GetString(6),
        rows.GetString(7));

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await read(_reader, cancellationToken);
        }
        finally
        {
            _readLock.Release();
        }
    }

    private Task<IReadOnlyList<SessionState>> QuerySessionsAsync(string where, string? parameter, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionState>>(async (c, ct) =>
        {
            var sessions = new List<SessionState>();
            await using var command = Command(c, $"""
                SELECT ticket_id, vehicle_type, status, entry_gate, code, issued_at, entered_at, exited_at, fee_minor, fee_currency, tariff_version
                FROM sessions {where}
                """);
            if (parameter is not null)
            {
                command.Parameters.AddWithValue("$p", parameter);
            }

            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                sessions.Add(new SessionState(
                    rows.GetString(0),
                    LedgerText.Parse<VehicleType>(rows.GetString(1)),
                    LedgerText.Parse<SessionStatus>(rows.GetString(2)),
                    rows.IsDBNull(3) ? null : rows.GetString(3),
                    rows.IsDBNull(4) ? null : rows.GetString(4),
                    rows.IsDBNull(5) ? null : LedgerText.ParseTime(rows.GetString(5)),
                    rows.IsDBNull(6) ? null : LedgerText.ParseTime(rows.GetString(6)),
                    rows.IsDBNull(7) ? null : LedgerText.ParseTime(rows.GetString(7)),
                    LedgerText.Money(rows.IsDBNull(8) ? null : rows.GetInt64(8), rows.IsDBNull(9) ? null : rows.GetString(9)),
                    rows.IsDBNull(10) ? null : rows.GetString(10)));
            }

            return sessions;
        }, cancellationToken);
}
