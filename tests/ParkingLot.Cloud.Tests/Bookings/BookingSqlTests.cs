using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Tests.Bookings;

/// <summary>The SQL spelling of the "active booking" rule is the C# rule: same statuses, same answer for every status and expiry.</summary>
public sealed class BookingSqlTests
{
    [Fact]
    public void ActiveStatuses_ExactlyTheStatusesTheLifecycleCallsActive() =>
        Assert.Equal(
            Enum.GetValues<BookingStatus>().Where(BookingLifecycle.IsActive).Select(DbValues.Name).Order(StringComparer.Ordinal),
            BookingSql.ActiveStatuses.Trim('(', ')').Split(',', StringSplitOptions.TrimEntries).Select(s => s.Trim('\'')).Order(StringComparer.Ordinal));

    [Fact]
    public async Task ActiveAt_EveryStatusAndExpiry_SameAnswerAsBookingIsActiveAt()
    {
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE bookings (id INTEGER PRIMARY KEY, status TEXT NOT NULL, expires_at_ms INTEGER)";
            await create.ExecuteNonQueryAsync();
        }

        var cases = new List<(BookingStatus Status, DateTimeOffset? Expires)>();
        foreach (var status in Enum.GetValues<BookingStatus>())
        {
            foreach (var expires in new DateTimeOffset?[] { null, now.AddMinutes(-1), now, now.AddMinutes(1) })
            {
                cases.Add((status, expires));
            }
        }

        var expected = new List<long>();
        for (var i = 0; i < cases.Count; i++)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO bookings VALUES ($id, $status, $expires)";
            insert.With("$id", i).With("$status", DbValues.Name(cases[i].Status)).With("$expires", cases[i].Expires is { } e ? DbValues.Ms(e) : null);
            await insert.ExecuteNonQueryAsync();
            var booking = new Booking(
                Guid.NewGuid(), "u", cases[i].Status, "lot", "C1", Shared.Contracts.VehicleType.Car, null, now, now.AddHours(1),
                new Shared.Money(100, "EUR"), "t", 100, now, cases[i].Expires, null, null, 1);
            // A held booking always has an expiry; a held row without one is not a state the stores write.
            if (booking.IsActiveAt(now) && !(cases[i].Status == BookingStatus.Held && cases[i].Expires is null))
            {
                expected.Add(i);
            }
        }

        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT id FROM bookings b WHERE {BookingSql.ActiveAt("b.", "expires_at_ms", "$now")} AND NOT (status = 'held' AND expires_at_ms IS NULL) ORDER BY id";
        select.With("$now", DbValues.Ms(now));
        var active = new List<long>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            active.Add(reader.GetInt64(0));
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, active);
    }
}
