using Npgsql;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Storage.Postgres;

/// <summary>
/// Bookings on PostgreSQL. I1 is the exclusion constraint <c>bookings_no_double_booking</c>; I2 is
/// checked after locking the (lot, vehicle type) split row <c>FOR UPDATE</c>, so concurrent holds of
/// one lot and type (on any instance) take turns through check and insert, while other lots and
/// types proceed in parallel.
/// </summary>
internal sealed class PostgresBookingStore(NpgsqlDataSource dataSource) : IBookingStore
{
    /// <summary>exclusion_violation: the I1 constraint refused an overlapping booking of a spot.</summary>
    public const string ExclusionViolation = "23P01";

    private const string Columns = """
        booking_id, user_id, status, lot_id, spot_id, vehicle_type, plate, lower(period), upper(period), amount_minor, currency,
        tariff_version, demand_percent, created_at, expires_at, cancelled_at, refund_minor, version
        """;

    public async Task<HoldResult> HoldAsync(HoldRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var type = DbValues.Name(request.VehicleType);

        if (request.SpotId is { } requested)
        {
            await using var spot = connection.Command(transaction, "SELECT vehicle_type FROM spots WHERE lot_id = @lot AND spot_id = @spot");
            spot.With("lot", request.LotId).With("spot", requested);
            var spotType = await spot.ExecuteScalarAsync(cancellationToken) as string;
            if (spotType is null)
            {
                return new HoldResult(HoldStatus.UnknownSpot);
            }

            if (!string.Equals(spotType, type, StringComparison.Ordinal))
            {
                return new HoldResult(HoldStatus.SpotTypeMismatch, Detail: spotType);
            }
        }

        int share;
        await using (var split = connection.Command(transaction, "SELECT reservable FROM capacity_splits WHERE lot_id = @lot AND vehicle_type = @type FOR UPDATE"))
        {
            split.With("lot", request.LotId).With("type", type);
            if (await split.ExecuteScalarAsync(cancellationToken) is not int n || n == 0)
            {
                // No share, nothing to sell (and no row to lock).
                return new HoldResult(HoldStatus.NoCapacity);
            }

            share = n;
        }

        // The exclusion constraint cannot see time: a stale hold still occupies its spot there, so
        // expire this lot's and type's stale holds first, inside the same transaction.
        await using (var expire = connection.Command(transaction, """
            UPDATE bookings SET status = 'expired', version = version + 1
            WHERE lot_id = @lot AND vehicle_type = @type AND status = 'held' AND expires_at <= @now
            """))
        {
            expire.With("lot", request.LotId).With("type", type).WithTime("now", request.Now);
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }

        var active = new List<ActiveWindow>();
        await using (var overlapping = connection.Command(transaction, """
            SELECT spot_id, lower(period), upper(period) FROM bookings
            WHERE lot_id = @lot AND vehicle_type = @type AND status IN ('held', 'confirmed')
              AND period && tstzrange(@start, @end, '[)')
            """))
        {
            overlapping.With("lot", request.LotId).With("type", type).WithTime("start", request.StartTime).WithTime("end", request.EndTime);
            await using var reader = await overlapping.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                active.Add(new ActiveWindow(reader.GetString(0), reader.GetTime(1), reader.GetTime(2)));
            }
        }

        var spots = new List<string>();
        await using (var candidates = connection.Command(transaction, "SELECT spot_id FROM spots WHERE lot_id = @lot AND vehicle_type = @type ORDER BY rank, spot_id"))
        {
            candidates.With("lot", request.LotId).With("type", type);
            await using var reader = await candidates.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                spots.Add(reader.GetString(0));
            }
        }

        var (status, chosen) = BookingPlanner.Plan(share, active, spots, request.SpotId, request.StartTime, request.EndTime);
        if (status != HoldStatus.Held)
        {
            return new HoldResult(status);
        }

        // The constraint is the last word (I1): should a spot be taken after all (a writer that does
        // not lock the split row), try the next free one, a bounded number of times.
        foreach (var spotId in chosen)
        {
            await transaction.SaveAsync("hold", cancellationToken);
            try
            {
                await using var insert = connection.Command(transaction, $"""
                    INSERT INTO bookings (booking_id, user_id, status, lot_id, spot_id, vehicle_type, plate, period, amount_minor, currency,
                        tariff_version, demand_percent, created_at, expires_at, version)
                    VALUES (@id, @user, 'held', @lot, @spot, @type, @plate, tstzrange(@start, @end, '[)'), @minor, @currency,
                        @tariff, @demand, @created, @expires, 1)
                    """);
                insert.With("id", request.Id).With("user", request.UserId).With("lot", request.LotId).With("spot", spotId).With("type", type)
                    .With("plate", request.Plate).WithTime("start", request.StartTime).WithTime("end", request.EndTime)
                    .With("minor", request.Amount.Minor).With("currency", request.Amount.Currency).With("tariff", request.TariffVersion)
                    .With("demand", request.DemandMultiplierPercent).WithTime("created", request.Now).WithTime("expires", request.ExpiresAt);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == ExclusionViolation)
            {
                await transaction.RollbackAsync("hold", cancellationToken);
                continue;
            }

            await transaction.CommitAsync(cancellationToken);
            return new HoldResult(HoldStatus.Held, new Booking(
                request.Id, request.UserId, BookingStatus.Held, request.LotId, spotId, request.VehicleType, request.Plate,
                request.StartTime, request.EndTime, request.Amount, request.TariffVersion, request.DemandMultiplierPercent,
                request.Now, request.ExpiresAt, null, null, 1));
        }

        return new HoldResult(request.SpotId is null ? HoldStatus.NoSpotFree : HoldStatus.SpotTaken);
    }

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
