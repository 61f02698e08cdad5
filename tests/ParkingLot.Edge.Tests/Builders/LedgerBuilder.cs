using Microsoft.Data.Sqlite;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>Opens ledgers in a test's folder and writes typical event sequences into them.</summary>
internal static class LedgerBuilder
{
    public const string LotId = "test-lot";

    public static Task<LedgerStore> OpenAsync(TempDirectory directory, TimeProvider? time = null, string name = "ledger.db") =>
        LedgerStore.OpenAsync(directory.File(name), LotId, time ?? TimeProvider.System, TestContext.Token);

    /// <summary>Appends <paramref name="count"/> barrier events (the cheapest event with a payload).</summary>
    public static async Task<IReadOnlyList<LedgerEvent>> AppendBarrierMovesAsync(LedgerStore ledger, int count)
    {
        var events = new List<LedgerEvent>(count);
        for (var i = 0; i < count; i++)
        {
            events.Add(await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved("entry-1", i % 2 == 0, $"move {i}")));
        }

        return events;
    }

    /// <summary>A whole stay: ticket, enter, park, unpark, pay, exit.</summary>
    public static async Task StayAsync(LedgerStore ledger, string ticketId, string spotId, VehicleType type = VehicleType.Car, long fee = 300)
    {
        await ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued(ticketId, "entry-1", type, DateTimeOffset.UnixEpoch, "code-" + ticketId));
        await ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", ticketId, type, CredentialKind.Ticket, null));
        await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged(spotId, type, true, "sensor-" + spotId));
        await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged(spotId, type, false, "sensor-" + spotId));
        await ledger.AppendAsync(EventTypes.PaymentRecorded, new PaymentRecorded("pay-" + ticketId, ticketId, new Money(fee, "EUR"), PaymentMethod.Card, "test-1"));
        await ledger.AppendAsync(EventTypes.VehicleExited, new VehicleExited("exit-1", ticketId, type, new Money(fee, "EUR"), "test-1"));
    }

    /// <summary>A writable raw connection, as an attacker or a careless technician with sqlite3 would have.</summary>
    public static SqliteConnection RawConnection(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static int Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
