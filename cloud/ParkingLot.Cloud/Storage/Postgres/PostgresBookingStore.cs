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
/// types proceed in parallel. A hold is one round trip: the server-side function
/// <c>hold_booking</c> does lock, check and insert in the statement's own transaction, so the lock
/// is held for server time only, never across the network. Holds go through a multiplexing data
/// source (<see cref="PostgresHoldPipeline"/>): concurrent holds share a few connections, written and
/// read in batches, each still its own statement and transaction.
/// </summary>
internal sealed class PostgresBookingStore(NpgsqlDataSource dataSource, PostgresHoldPipeline pipeline) : IBookingStore
{
    private const string Columns = """
        booking_id, user_id, status, lot_id, spot_id, vehicle_type, plate, lower(period), upper(period), amount_minor, currency,
        tariff_version, demand_percent, created_at, expires_at, cancelled_at, refund_minor, version, pass_revoked_at
        """;

    // The hold in one round trip: hold_booking (Migrations/0003_one_round_trip_hold.sql) locks the
    // split row, expires stale holds, checks the share at every instant of the window and inserts the
    // first free spot, each statement with a snapshot taken after the lock was granted.
    private const string HoldSql = """
        SELECT result, chosen_spot, detail
        FROM hold_booking($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        """;

    public async Task<HoldResult> HoldAsync(HoldRequest request, CancellationToken cancellationToken)
    {
        // Multiplexing prepares by itself (Max Auto Prepare), so no PrepareAsync here.
        await using var hold = pipeline.DataSource.CreateCommand(HoldSql);
        hold.Parameters.AddRange(new NpgsqlParameter[]
        {
            new NpgsqlParameter<Guid> { TypedValue = request.Id },
            Text(request.UserId),
            Text(request.LotId),
            Text(DbValues.Name(request.VehicleType)),
            OptionalText(request.SpotId),
            OptionalText(request.Plate),
            Time(request.StartTime.UtcDateTime),
            Time(request.EndTime.UtcDateTime),
            new NpgsqlParameter<long> { TypedValue = request.Amount.Minor },
            Text(request.Amount.Currency),
            Text(request.TariffVersion),
            new NpgsqlParameter<int> { TypedValue = request.DemandMultiplierPercent },
            Time(request.Now.UtcDateTime),
            Time(request.ExpiresAt.UtcDateTime),
            new NpgsqlParameter<int> { TypedValue = BookingPlanner.MaxSpotAttempts },
        });
        await using var reader = await hold.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("hold_booking returned no row.");
        }

        var result = reader.GetString(0);
        switch (result)
        {
            case "held":
                var spotId = reader.GetString(1);
                return new HoldResult(
                    HoldStatus.Held,
                    new Booking(
                        request.Id, request.UserId, BookingStatus.Held, request.LotId, spotId, request.VehicleType, request.Plate,
                        request.StartTime, request.EndTime, request.Amount, request.TariffVersion, request.DemandMultiplierPercent,
                        request.Now, request.ExpiresAt, null, null, 1));
            case "spot_type_mismatch":
                return new HoldResult(HoldStatus.SpotTypeMismatch, Detail: reader.GetString(2));
            default:
                return new HoldResult(result switch
                {
                    "no_capacity" => HoldStatus.NoCapacity,
                    "no_spot_free" => HoldStatus.NoSpotFree,
                    "spot_taken" => HoldStatus.SpotTaken,
                    "unknown_spot" => HoldStatus.UnknownSpot,
                    _ => throw new InvalidOperationException($"hold_booking returned an unknown result '{result}'."),
                });
        }
    }

    private static NpgsqlParameter<string> Text(string value) => new() { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = value };

    private static NpgsqlParameter OptionalText(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

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
        await using var command = dataSource.CreateCommand($"""
            SELECT lot_id FROM bookings WHERE status IN {BookingSql.ActiveStatuses} AND lower(period) > @from AND lower(period) <= @to
            UNION
            SELECT lot_id FROM bookings WHERE status IN {BookingSql.ActiveStatuses} AND upper(period) > @from AND upper(period) <= @to
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

    /// <summary>One booking; with <paramref name="forUpdate"/> its row stays locked until the transaction ends.</summary>
    internal static async Task<Booking?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, bool forUpdate, CancellationToken cancellationToken)
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
                r.GetTimeOrNull(14), r.GetTimeOrNull(15), r.IsDBNull(16) ? null : r.GetInt64(16), r.GetInt32(17), r.GetTimeOrNull(18)));
        }

        return bookings;
    }
}
