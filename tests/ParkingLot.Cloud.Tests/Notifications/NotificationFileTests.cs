using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>With no SMTP relay configured (the demo): the e-mail is written as a .eml file under the data directory.</summary>
[Collection(BookingCloudCollection.Name)]
public sealed class NotificationFileTests(BookingCloud cloud)
{
    [Fact]
    public async Task BookingConfirmed_NoSmtpHost_EmlFileWrittenUnderDataDirectoryMail()
    {
        var lot = await cloud.CreateLotAsync();
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        var start = BookingWindow.Truncate(cloud.Clock.GetUtcNow().AddHours(1));
        var response = await client.PostAsJsonAsync(
            "/api/v1/bookings", new { lotId = lot.LotId, vehicleType = "car", startTime = start, endTime = start.AddHours(1) }, TestContext.Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var booking = (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;

        await cloud.Services.GetRequiredService<IBookingNotifications>().BookingConfirmedAsync(booking.Id, TestContext.Token);
        await cloud.Services.GetRequiredService<OutboxSender>().SendDueAsync(TestContext.Token);

        var queued = await cloud.Services.GetRequiredService<INotificationOutbox>().FindAsync(NotificationKind.Confirmation, booking.Id.ToString("D"), TestContext.Token);
        Assert.Equal(OutboxStatus.Sent, queued!.Status);
        var folder = Path.Combine(cloud.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "mail");
        var file = Assert.Single(Directory.GetFiles(folder, $"*{queued.Id:N}.eml"));
        var email = await MimeMessage.LoadAsync(file, TestContext.Token);
        Assert.Equal(user.Email, Assert.Single(email.To.Mailboxes).Address);
        Assert.StartsWith("Booking confirmed: ", email.Subject, StringComparison.Ordinal);
        Assert.Contains($"Booking: {booking.Id}", email.TextBody, StringComparison.Ordinal);
    }
}
