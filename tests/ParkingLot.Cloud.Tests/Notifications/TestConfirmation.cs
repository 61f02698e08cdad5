using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>
/// Confirms a held booking directly in the store, as the payment code does once a payment succeeded.
/// The notification tests need confirmed bookings; how they get confirmed is not their subject.
/// </summary>
internal static class TestConfirmation
{
    public static async Task ConfirmAsync(IStoreDatabase database, Guid bookingId)
    {
        switch (database)
        {
            case SqliteDatabase sqlite:
                await using (var connection = await sqlite.OpenAsync(TestContext.Token))
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = "UPDATE bookings SET status = 'confirmed', expires_at_ms = NULL WHERE booking_id = $id AND status = 'held'";
                    command.Parameters.AddWithValue("$id", bookingId.ToString("D"));
                    Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Token));
                }

                break;
            case PostgresDatabase postgres:
                await using (var command = postgres.DataSource.CreateCommand(
                    "UPDATE bookings SET status = 'confirmed', expires_at = NULL WHERE booking_id = $1 AND status = 'held'"))
                {
                    command.Parameters.AddWithValue(bookingId);
                    Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Token));
                }

                break;
            default:
                throw new InvalidOperationException($"No confirmation for the {database.Kind} store.");
        }
    }
}
