using Npgsql;
using NpgsqlTypes;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Storage.Postgres;

/// <summary>
/// Bookings on PostgreSQL. I1 is the exclusion constraint <c>bookings_no_double_booking</c>; I2 is
/// checked after locking the (lot, vehicle type) split row <c>FOR UPDATE</c>, so concurrent holds of
/// one lot and type (on any instance) take turns through check and insert, while other lots and
/// types proceed in parallel. A hold is three round trips (one prepared batch that locks and reads,
/// savepoint + insert, commit), so the lock is held for two round trips and the planner.
/// </summary>
internal sealed class PostgresBookingStore(NpgsqlDataSource dataSource) : IBookingStore
{
    /// <summary>exclusion_violation: the I1 constraint refused an overlapping booking of a spot.</summary>
    public const string ExclusionViolation = "23P01";

    private const string Columns = """
        booking_id, user_id, status, lot_id, spot_id, vehicle_type, plate, lower(period), upper(period), amount_minor, currency,
        tariff_version, demand_percent, created_at, expires_at, cancelled_at, refund_minor, version
        """;

    // The hold in three round trips: (1) lock the split row, expire stale holds, read the overlapping
    // bookings and the first free spots, each its own statement in one batch (so each reads a snapshot
    // taken after the lock was granted: race-free I2 across instances); (2) savepoint and insert the
    // chosen spot; (3) commit.
    // Statements are prepared once per physical connection; parameters are positional.
    private const string LockSplitSql = "SELECT reservable FROM capacity_splits WHERE lot_id = $1 AND vehicle_type = $2 FOR UPDATE";

    private const string SpotTypeSql = "SELECT vehicle_type FROM spots WHERE lot_id = $1 AND spot_id = $2";

    // The exclusion constraint cannot see time: a stale hold still occupies its spot there, so
    // expire this lot's and type's stale holds first, inside the same transaction.
    private const string ExpireSql = """
        UPDATE bookings SET status = 'expired', version = version + 1
        WHERE lot_id = $1 AND vehicle_type = $2 AND status = 'held' AND expires_at <= $3
        """;

    private const string OverlappingSql = """
        SELECT spot_id, lower(period), upper(period) FROM bookings
        WHERE lot_id = $1 AND vehicle_type = $2 AND status IN ('held', 'confirmed')
          AND period && tstzrange($3, $4, '[)')
        """;

    // The first free spots in rank order (the planner filters them again with the overlapping
    // bookings), instead of every spot of the type.
    private static readonly string FreeSpotsSql = $"""
        SELECT s.spot_id FROM spots s
        WHERE s.lot_id = $1 AND s.vehicle_type = $2
          AND NOT EXISTS (SELECT 1 FROM bookings b
                          WHERE b.lot_id = s.lot_id AND b.spot_id = s.spot_id AND b.status IN ('held', 'confirmed')
                            AND b.period && tstzrange($3, $4, '[)'))
        ORDER BY s.rank, s.spot_id
        LIMIT {BookingPlanner.MaxSpotAttempts}
        """;

    private const string InsertSql = """
        INSERT INTO bookings (booking_id, user_id, status, lot_id, spot_id, vehicle_type, plate, period, amount_minor, currency,
            tariff_version, demand_percent, created_at, expires_at, version)
        VALUES ($1, $2, 'held', $3, $4, $5, $6, tstzrange($7, $8, '[)'), $9, $10, $11, $12, $13, $14, 1)
        """;

    public async Task<HoldResult> HoldAsync(HoldRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var type = DbValues.Name(request.VehicleType);
        var start = request.StartTime.UtcDateTime;
        var end = request.EndTime.UtcDateTime;

        int? share = null;
        string? spotType = null;
        var active = new List<ActiveWindow>();
        var spots = new List<string>();
        await using (var read = new NpgsqlBatch(connection, transaction))
        {
            if (request.SpotId is { } requested)
            {
                read.BatchCommands.Add(Statement(SpotTypeSql, Text(request.LotId), Text(requested)));
            }

            read.BatchCommands.Add(Statement(LockSplitSql, Text(request.LotId), Text(type)));
            read.BatchCommands.Add(Statement(ExpireSql, Text(request.LotId), Text(type), Time(request.Now.UtcDateTime)));
            read.BatchCommands.Add(Statement(OverlappingSql, Text(request.LotId), Text(type), Time(start), Time(end)));
            if (request.SpotId is null)
            {
                read.BatchCommands.Add(Statement(FreeSpotsSql, Text(request.LotId), Text(type), Time(start), Time(end)));
            }

            await read.PrepareAsync(cancellationToken);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (request.SpotId is not null)
            {
                spotType = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
                await reader.NextResultAsync(cancellationToken);
            }

            if (await reader.ReadAsync(cancellationToken))
            {
                share = reader.GetInt32(0);
            }

            // The UPDATE returns no rows; the reader moves on to the overlapping bookings.
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                active.Add(new ActiveWindow(reader.GetString(0), reader.GetTime(1), reader.GetTime(2)));
            }

            if (request.SpotId is null)
            {
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    spots.Add(reader.GetString(0));
                }
            }
        }

        if (request.SpotId is not null)
        {
            if (spotType is null)
            {
                return new HoldResult(HoldStatus.UnknownSpot);
            }

            if (!string.Equals(spotType, type, StringComparison.Ordinal))
            {
                return new HoldResult(HoldStatus.SpotTypeMismatch, Detail: spotType);
            }
        }

        if (share is not { } reservable || reservable == 0)
        {
            // No share, nothing to sell (and no row locked).
            return new HoldResult(HoldStatus.NoCapacity);
        }

        var (status, chosen) = BookingPlanner.Plan(reservable, active, spots, request.SpotId, request.StartTime, request.EndTime);
        if (status != HoldStatus.Held)
        {
            return new HoldResult(status);
        }

        // The constraint is the last word (I1): should a spot be taken after all (a writer that does
        // not lock the split row), try the next free one, a bounded number of times.
        foreach (var spotId in chosen)
        {
            try
            {
                await using var write = new NpgsqlBatch(connection, transaction);
                write.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT hold"));
                write.BatchCommands.Add(Statement(
                    InsertSql,
                    new NpgsqlParameter<Guid> { TypedValue = request.Id },
                    Text(request.UserId),
                    Text(request.LotId),
                    Text(spotId),
                    Text(type),
                    new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)request.Plate ?? DBNull.Value },
                    Time(start),
                    Time(end),
                    new NpgsqlParameter<long> { TypedValue = request.Amount.Minor },
                    Text(request.Amount.Currency),
                    Text(request.TariffVersion),
                    new NpgsqlParameter<int> { TypedValue = request.DemandMultiplierPercent },
                    Time(request.Now.UtcDateTime),
                    Time(request.ExpiresAt.UtcDateTime)));
                await write.PrepareAsync(cancellationToken);
                await write.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == ExclusionViolation)
            {
                await transaction.RollbackAsync("hold", cancellationToken);
                continue;
            }

            await transaction.CommitAsync(cancellationToken);
            return new HoldResult(
                HoldStatus.Held,
                new Booking(
                    request.Id, request.UserId, BookingStatus.Held, request.LotId, spotId, request.VehicleType, request.Plate,
                    request.StartTime, request.EndTime, request.Amount, request.TariffVersion, request.DemandMultiplierPercent,
                    request.Now, request.ExpiresAt, null, null, 1),
                ReservedNow: BookingPlanner.ReservedAt(active, request.Now, request.StartTime, request.EndTime));
        }

        return new HoldResult(request.SpotId is null ? HoldStatus.NoSpotFree : HoldStatus.SpotTaken);
    }

    private static NpgsqlBatchCommand Statement(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = value };

    private static NpgsqlParameter<DateTime> Time(DateTime utc) => new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = utc };

    public async Task<Booking?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, null, id, forUpdate: false, cancellationToken);
    }

    public async Task<IReadOnlyList<Booking>> ListByUserAsync(string userId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM bookings WHERE user_id = @user ORDER BY created_at DESC, booking_id LIMIT @limit");
        command.With("user", userId).With("limit", limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<CancelResult> CancelAsync(Guid id, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var booking = await GetAsync(connection, transaction, id, forUpdate: true, cancellationToken);
        if (booking is null || !string.Equals(booking.UserId, userId, StringComparison.Ordinal))
        {
            return new CancelResult(CancelStatus.NotFound);
        }

        if (!booking.IsActiveAt(now))
        {
            return new CancelResult(CancelStatus.NotCancellable, booking);
        }

        var refund = BookingRules.RefundOnCancel(booking, now);
        await using (var update = connection.Command(transaction, """
            UPDATE bookings SET status = 'cancelled', cancelled_at = @now, refund_minor = @refund, version = version + 1
            WHERE booking_id = @id
            """))
        {
            update.With("id", id).WithTime("now", now).With("refund", refund);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new CancelResult(CancelStatus.Cancelled, booking with
        {
            Status = BookingStatus.Cancelled, CancelledAt = now, RefundMinor = refund, Version = booking.Version + 1,
        });
    }

    public async Task<IReadOnlyList<string>> ExpireHoldsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH expired AS (
                UPDATE bookings SET status = 'expired', version = version + 1
                WHERE status = 'held' AND expires_at <= @now
                RETURNING lot_id)
            SELECT DISTINCT lot_id FROM expired ORDER BY lot_id
            """);
        command.WithTime("now", now);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListLotsWithBoundariesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT DISTINCT lot_id FROM bookings
            WHERE status IN ('held', 'confirmed')
              AND ((lower(period) > @from AND lower(period) <= @to) OR (upper(period) > @from AND upper(period) <= @to))
            ORDER BY lot_id
            """);
        command.WithTime("from", from).WithTime("to", to);
        return await ReadStringsAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task<Booking?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, $"SELECT {Columns} FROM bookings WHERE booking_id = @id{(forUpdate ? " FOR UPDATE" : "")}");
        command.With("id", id);
        var all = await ReadAllAsync(command, cancellationToken);
        return all.Count == 0 ? null : all[0];
    }

    private static async Task<IReadOnlyList<Booking>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var bookings = new List<Booking>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            bookings.Add(new Booking(
                r.GetGuid(0), r.GetString(1), DbValues.Parse<BookingStatus>(r.GetString(2)), r.GetString(3), r.GetString(4),
                DbValues.Parse<VehicleType>(r.GetString(5)), r.GetStringOrNull(6), r.GetTime(7), r.GetTime(8),
                new Money(r.GetInt64(9), r.GetString(10)), r.GetString(11), r.GetInt32(12), r.GetTime(13),
                r.GetTimeOrNull(14), r.GetTimeOrNull(15), r.IsDBNull(16) ? null : r.GetInt64(16), r.GetInt32(17)));
        }

        return bookings;
    }
}
