using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Storage;
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
}
