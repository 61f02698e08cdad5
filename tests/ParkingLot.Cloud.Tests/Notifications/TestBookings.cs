using System.Net;
using System.Net.Http.Json;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>The bookings the notification tests talk about: held over HTTP, confirmed in the store.</summary>
internal static class TestBookings
{
    /// <summary>A new driver holds a car spot in a new lot from about an hour from now, for an hour.</summary>
    public static async Task<(TestUser User, BookingResponse Booking)> HoldAsync(BookingCloud cloud)
    {
        var lot = await cloud.CreateLotAsync();
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        var start = BookingWindow.Truncate(cloud.Clock.GetUtcNow().AddHours(1));
        var response = await client.PostAsJsonAsync(
            "/api/v1/bookings", new { lotId = lot.LotId, vehicleType = "car", startTime = start, endTime = start.AddHours(1) }, TestContext.Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Token));
        return (user, (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!);
    }

    /// <summary>
    /// Confirms a held booking directly in the store, as the payment code does once a payment succeeded;
    /// how a booking gets confirmed is not these tests' subject.
    /// </summary>
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
