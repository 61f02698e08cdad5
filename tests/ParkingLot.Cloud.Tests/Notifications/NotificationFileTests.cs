using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;
using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Cloud.Tests.Payments;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>With no SMTP relay configured (the demo): the e-mail is written as a .eml file under the data directory.</summary>
[Collection(BookingCloudCollection.Name)]
public sealed class NotificationFileTests(BookingCloud cloud)
{
    [Fact]
    public async Task BookingConfirmed_NoSmtpHost_EmlFileWrittenUnderDataDirectoryMail()
    {
        var (user, booking) = await TestBookings.HoldAsync(cloud);

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

    /// <summary>The acceptance path on the README's main command: a new user registers, books, pays with the test gateway, gets a pass and can read the e-mails.</summary>
    [Fact]
    public async Task RegisterBookPayWithTestGateway_PassIssued_ConfirmationAndReceiptWrittenAsEml()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient();
        var email = $"new-driver-{Guid.NewGuid():N}@example.test";
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestTokens.Password, name = "New Driver" }, TestContext.Token);
        Assert.True(register.IsSuccessStatusCode, await register.Content.ReadAsStringAsync(TestContext.Token));
        var token = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password = TestTokens.Password }, TestContext.Token);
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>(TestContext.Token)).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, cloud.Clock.GetUtcNow(), TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        await PaymentSteps.PayAsync(client, booking.Id);
        var pass = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);
        await cloud.Services.GetRequiredService<OutboxSender>().SendDueAsync(TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, pass.StatusCode);
        var folder = Path.Combine(cloud.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "mail");
        var received = new List<MimeMessage>();
        foreach (var file in Directory.GetFiles(folder, "*.eml"))
        {
            var message = await MimeMessage.LoadAsync(file, TestContext.Token);
            if (message.To.Mailboxes.Any(m => m.Address == email))
            {
                received.Add(message);
            }
        }

        Assert.Equal(2, received.Count);
        Assert.Contains(received, m => (m.Subject ?? string.Empty).StartsWith("Booking confirmed: ", StringComparison.Ordinal) && (m.TextBody ?? string.Empty).Contains(booking.Id.ToString(), StringComparison.Ordinal));
        Assert.Contains(received, m => (m.Subject ?? string.Empty).StartsWith($"Receipt: {NotificationTemplates.Amount(booking.Amount)}", StringComparison.Ordinal));
    }
}
