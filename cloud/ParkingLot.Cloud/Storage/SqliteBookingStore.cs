using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// Bookings on the embedded store. I1 and I2 hold because each hold is one check-and-insert inside
/// <c>BEGIN IMMEDIATE</c> behind the file's single writer: nothing can change between the check and the insert.
/// </summary>
internal sealed class SqliteBookingStore(SqliteDatabase database) : IBookingStore
{
    private const string Columns = """
        booking_id, user_id, status, lot_id, spot_id, vehicle_type, plate, start_ms, end_ms, amount_minor, currency,
        tariff_version, demand_percent, created_at, expires_at_ms, cancelled_at, refund_minor, version, pass_revoked_at
        """;

    // Held and not stale, or confirmed (BookingSql: the one spelling of the rule).
    private static readonly string Active = BookingSql.ActiveAt("", "expires_at_ms", "$now");

    public async Task<HoldResult> HoldAsync(HoldRequest request, CancellationToken cancellationToken)
    {
        await using var writer = await SqliteWriter.BeginAsync(database, cancellationToken);
        var type = DbValues.Name(request.VehicleType);
        var now = DbValues.Ms(request.Now);

        if (request.SpotId is { } requested)
        {
            await using var spot = writer.Command("SELECT vehicle_type FROM spots WHERE lot_id = $lot AND spot_id = $spot");
            spot.With("$lot", request.LotId).With("$spot", requested);
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
        await using (var split = writer.Command("SELECT reservable FROM capacity_splits WHERE lot_id = $lot AND vehicle_type = $type"))
        {
            split.With("$lot", request.LotId).With("$type", type);
            share = await split.ExecuteScalarAsync(cancellationToken) is long n ? (int)n : 0;
        }

        // Not needed for correctness here (the check below ignores stale holds), but it keeps the rows
        // the same as PostgreSQL's, which must expire them before its constraint sees the insert.
        await using (var expire = writer.Command("""
            UPDATE bookings SET status = 'expired', version = version + 1
            WHERE lot_id = $lot AND vehicle_type = $type AND status = 'held' AND expires_at_ms <= $now
            """))
        {
            expire.With("$lot", request.LotId).With("$type", type).With("$now", now);
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }

        var active = new List<ActiveWindow>();
        await using (var overlapping = writer.Command($"""
            SELECT spot_id, start_ms, end_ms FROM bookings
            WHERE lot_id = $lot AND vehicle_type = $type AND {Active}
              AND start_ms < $end AND end_ms > $start
            """))
        {
            overlapping.With("$lot", request.LotId).With("$type", type).With("$now", now)
                .With("$start", DbValues.Ms(request.StartTime)).With("$end", DbValues.Ms(request.EndTime));
            await using var reader = await overlapping.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                active.Add(new ActiveWindow(reader.GetString(0), DbValues.FromMs(reader.GetInt64(1)), DbValues.FromMs(reader.GetInt64(2))));
            }
        }

        var spots = new List<string>();
        await using (var candidates = writer.Command("SELECT spot_id FROM spots WHERE lot_id = $lot AND vehicle_type = $type ORDER BY rank, spot_id"))
        {
            candidates.With("$lot", request.LotId).With("$type", type);
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

        var booking = new Booking(
            request.Id, request.UserId, BookingStatus.Held, request.LotId, chosen[0], request.VehicleType, request.Plate,
            request.StartTime, request.EndTime, request.Amount, request.TariffVersion, request.DemandMultiplierPercent,
            request.Now, request.ExpiresAt, null, null, 1);
        await using (var insert = writer.Command($"INSERT INTO bookings ({Columns}) VALUES ($id, $user, 'held', $lot, $spot, $type, $plate, $start, $end, $minor, $currency, $tariff, $demand, $created, $expires, NULL, NULL, 1, NULL)"))
        {
            insert.With("$id", booking.Id.ToString("D")).With("$user", booking.UserId).With("$lot", booking.LotId).With("$spot", booking.SpotId)
                .With("$type", type).With("$plate", booking.Plate).With("$start", DbValues.Ms(booking.StartTime)).With("$end", DbValues.Ms(booking.EndTime))
                .With("$minor", booking.Amount.Minor).With("$currency", booking.Amount.Currency).With("$tariff", booking.TariffVersion)
                .With("$demand", booking.DemandMultiplierPercent).With("$created", DbValues.Time(booking.CreatedAt))
                .With("$expires", DbValues.Ms(request.ExpiresAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return new HoldResult(HoldStatus.Held, booking);
    }

    public async Task<Booking?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetAsync(connection, null, id, cancellationToken);
    }

    public async Task<IReadOnlyList<Booking>> ListByUserAsync(string userId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM bookings WHERE user_id = $user ORDER BY created_at DESC, booking_id LIMIT $limit";
        command.With("$user", userId).With("$limit", limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ExpireHoldsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await SqliteWriter.BeginAsync(database, cancellationToken);
        await using var command = writer.Command("""
            UPDATE bookings SET status = 'expired', version = version + 1
            WHERE status = 'held' AND expires_at_ms <= $now
            RETURNING lot_id
            """);
        command.With("$now", DbValues.Ms(now));
        var lots = new SortedSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                lots.Add(reader.GetString(0));
            }
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return [.. lots];
    }

    public async Task<IReadOnlyList<string>> ListLotsWithBoundariesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT lot_id FROM bookings WHERE status IN {BookingSql.ActiveStatuses} AND start_ms > $from AND start_ms <= $to
            UNION
            SELECT lot_id FROM bookings WHERE status IN {BookingSql.ActiveStatuses} AND end_ms > $from AND end_ms <= $to
            ORDER BY lot_id
            """;
        command.With("$from", DbValues.Ms(from)).With("$to", DbValues.Ms(to));
        var lots = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lots.Add(reader.GetString(0));
        }

        return lots;
    }

    /// <summary>One booking, read on the given connection (inside a write transaction, it stays as read until commit).</summary>
    internal static async Task<Booking?> GetAsync(SqliteConnection connection, SqliteTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM bookings WHERE booking_id = $id";
        command.With("$id", id.ToString("D"));
        var all = await ReadAllAsync(command, cancellationToken);
        return all.Count == 0 ? null : all[0];
    }

    private static async Task<IReadOnlyList<Booking>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var bookings = new List<Booking>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            bookings.Add(new Booking(
                Guid.Parse(r.GetString(0)), r.GetString(1), DbValues.Parse<BookingStatus>(r.GetString(2)), r.GetString(3), r.GetString(4),
                DbValues.Parse<VehicleType>(r.GetString(5)), r.IsDBNull(6) ? null : r.GetString(6),
                DbValues.FromMs(r.GetInt64(7)), DbValues.FromMs(r.GetInt64(8)), new Money(r.GetInt64(9), r.GetString(10)),
                r.GetString(11), r.GetInt32(12), DbValues.ParseTime(r.GetString(13)),
                r.IsDBNull(14) ? null : DbValues.FromMs(r.GetInt64(14)), r.IsDBNull(15) ? null : DbValues.ParseTime(r.GetString(15)),
                r.IsDBNull(16) ? null : r.GetInt64(16), r.GetInt32(17),
                r.IsDBNull(18) ? null : DbValues.ParseTime(r.GetString(18))));
        }

        return bookings;
    }
}
