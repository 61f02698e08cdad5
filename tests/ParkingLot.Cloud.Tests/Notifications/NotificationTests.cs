using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Cloud.Tests.Payments;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>
/// The e-mail notifications end to end on a host: a booking held over HTTP, the moment reported through
/// <see cref="IBookingNotifications"/> (as the payment code does) or found by the sweeper, and the
/// message received by a real SMTP server in the process.
/// </summary>
[Collection(NotificationCloudCollection.Name)]
public class NotificationTests(NotificationCloud cloud)
{
    private IBookingNotifications Notifications => cloud.Services.GetRequiredService<IBookingNotifications>();

    private OutboxSender Sender => cloud.Services.GetRequiredService<OutboxSender>();

    private INotificationOutbox Outbox => cloud.Services.GetRequiredService<INotificationOutbox>();

    [Fact]
    public async Task BookingConfirmed_SmtpUp_DeliveredToTheBookingsDriverWithTheBooking()
    {
        cloud.StartSmtp();
        var (user, booking) = await HoldAsync();

        await Notifications.BookingConfirmedAsync(booking.Id, TestContext.Token);
        await Sender.SendDueAsync(TestContext.Token);

        var email = Assert.Single(cloud.ReceivedBy(user.Email));
        Assert.StartsWith("Booking confirmed: ", email.Subject, StringComparison.Ordinal);
        Assert.Contains($"Booking: {booking.Id}", email.TextBody, StringComparison.Ordinal);
        Assert.Contains($"Spot: {booking.SpotId} (car)", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(booking.Id.ToString(), email.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(OutboxStatus.Sent, (await Outbox.FindAsync(NotificationKind.Confirmation, booking.Id.ToString("D"), TestContext.Token))!.Status);
    }

    [Fact]
    public async Task BookingConfirmed_ReportedFiveTimesAtOnce_OneEmail()
    {
        cloud.StartSmtp();
        var (user, booking) = await HoldAsync();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Notifications.BookingConfirmedAsync(booking.Id, TestContext.Token)));
        await Sender.SendDueAsync(TestContext.Token);
        await Notifications.BookingConfirmedAsync(booking.Id, TestContext.Token);
        await Sender.SendDueAsync(TestContext.Token);

        Assert.Single(cloud.ReceivedBy(user.Email));
    }

    [Fact]
    public async Task PaymentReceipt_Delivered_ListsTheFeeLinesTariffVersionAndAmountPaid()
    {
        cloud.StartSmtp();
        var (user, booking) = await HoldAsync();
        var quote = TariffEngine.Quote(TestTariffs.Simple(), VehicleType.Car, booking.StartTime, booking.EndTime);
        var paymentId = $"pi_{Guid.NewGuid():N}";

        await Notifications.PaymentReceiptAsync(booking.Id, paymentId, booking.Amount, TestContext.Token);
        await Sender.SendDueAsync(TestContext.Token);

        var email = Assert.Single(cloud.ReceivedBy(user.Email));
        Assert.Equal($"Receipt: {NotificationTemplates.Amount(booking.Amount)} for parking at Test Lot", email.Subject);
        Assert.NotEmpty(quote.Lines);
        Assert.All(quote.Lines, line => Assert.Contains($"  {line.Description}: {NotificationTemplates.Amount(line.Amount)}\n", email.TextBody, StringComparison.Ordinal));
        Assert.Contains($"Total: {NotificationTemplates.Amount(quote.Total)}", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Tariff version: test-1", email.TextBody, StringComparison.Ordinal);
        Assert.Contains($"Paid: {NotificationTemplates.Amount(booking.Amount)}\n", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Discounts", email.TextBody, StringComparison.Ordinal);
        Assert.Contains($"payment of {NotificationTemplates.Amount(booking.Amount)} (payment {paymentId})", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PaymentReceipt_PaidLessThanThePrice_ShowsDiscountsAndWhatWasPaid()
    {
        cloud.StartSmtp();
        var (user, booking) = await HoldAsync();
        var paid = new Money(booking.Amount.Minor - 100, booking.Amount.Currency);

        await Notifications.PaymentReceiptAsync(booking.Id, $"pi_{Guid.NewGuid():N}", paid, TestContext.Token);
        await Sender.SendDueAsync(TestContext.Token);

        var email = Assert.Single(cloud.ReceivedBy(user.Email));
        Assert.Contains($"Total: {NotificationTemplates.Amount(booking.Amount)}\n  Discounts and points redeemed: -1.00 {paid.Currency}\n  Paid: {NotificationTemplates.Amount(paid)}\n", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefundIssued_Delivered_SaysTheAmountAndRefund()
    {
        cloud.StartSmtp();
        var (user, booking) = await HoldAsync();
        var refund = new Money(450, booking.Amount.Currency);

        await Notifications.RefundIssuedAsync(booking.Id, "re_test_1", refund, TestContext.Token);
        await Sender.SendDueAsync(TestContext.Token);

        var email = Assert.Single(cloud.ReceivedBy(user.Email));
        Assert.StartsWith($"Refund of 4.50 {refund.Currency}", email.Subject, StringComparison.Ordinal);
        Assert.Contains("(refund re_test_1)", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmtpDown_AttemptFailsAndIsRetriedAfterTheBackoff_DeliveredOnceItIsUp()
    {
        var (user, booking) = await HoldAsync();
        cloud.StopSmtp();
        await Notifications.BookingConfirmedAsync(booking.Id, TestContext.Token);
        var subject = booking.Id.ToString("D");

        await Sender.SendDueAsync(TestContext.Token);

        var failed = (await Outbox.FindAsync(NotificationKind.Confirmation, subject, TestContext.Token))!;
        Assert.Equal((OutboxStatus.Pending, 1), (failed.Status, failed.Attempts));
        Assert.NotNull(failed.LastError);
        // To the millisecond: the embedded store keeps milliseconds, PostgreSQL microseconds.
        Assert.Equal((cloud.Clock.GetUtcNow() + TimeSpan.FromSeconds(30)).ToUnixTimeMilliseconds(), failed.NextAttemptAt.ToUnixTimeMilliseconds());

        cloud.StartSmtp();
        await Sender.SendDueAsync(TestContext.Token);
        Assert.Empty(cloud.ReceivedBy(user.Email));

        cloud.Clock.Advance(TimeSpan.FromSeconds(30));
        await Sender.SendDueAsync(TestContext.Token);
        await Sender.SendDueAsync(TestContext.Token);

        Assert.Single(cloud.ReceivedBy(user.Email));
        var sent = (await Outbox.FindAsync(NotificationKind.Confirmation, subject, TestContext.Token))!;
        Assert.Equal((OutboxStatus.Sent, 2), (sent.Status, sent.Attempts));
    }

    [Fact]
    public async Task Sweeper_HoldAboutToExpireAndConfirmedBookingStartingSoon_EachEmailedOnce()
    {
        cloud.StartSmtp();
        var sweeper = cloud.Services.GetRequiredService<NotificationSweeper>();
        var (holder, held) = await HoldAsync();
        var (driver, paid) = await HoldAsync();
        using (var client = cloud.CreateClient(driver))
        {
            // The test gateway (no Stripe key): confirmed at once, and the confirmation and receipt e-mails queued.
            await PaymentSteps.PayAsync(client, paid.Id);
        }

        await sweeper.SweepAsync(TestContext.Token);
        Assert.Null(await ReminderAsync(NotificationKind.HoldExpiring, held.Id));

        // Holds last 5 minutes; the reminder is due 1 minute before. (The host's own sweeper may run on
        // the advance too, so the outbox is what is checked, not which sweep found it.)
        cloud.Clock.Advance(TimeSpan.FromMinutes(4.5));
        await sweeper.SweepAsync(TestContext.Token);
        Assert.NotNull(await ReminderAsync(NotificationKind.HoldExpiring, held.Id));
        Assert.Null(await ReminderAsync(NotificationKind.HoldExpiring, paid.Id));
        Assert.DoesNotContain(await sweeper.SweepAsync(TestContext.Token), r => r.BookingId == held.Id);
        await Sender.SendDueAsync(TestContext.Token);
        var reminder = Assert.Single(cloud.ReceivedBy(holder.Email));
        Assert.Contains("expires soon", reminder.Subject, StringComparison.Ordinal);

        // The window starts about an hour after the hold; the reminder is due 30 minutes before.
        cloud.Clock.Advance(paid.StartTime - cloud.Clock.GetUtcNow() - TimeSpan.FromMinutes(31));
        await sweeper.SweepAsync(TestContext.Token);
        Assert.Null(await ReminderAsync(NotificationKind.StartsSoon, paid.Id));
        cloud.Clock.Advance(TimeSpan.FromMinutes(2));
        await sweeper.SweepAsync(TestContext.Token);
        Assert.NotNull(await ReminderAsync(NotificationKind.StartsSoon, paid.Id));
        Assert.Null(await ReminderAsync(NotificationKind.StartsSoon, held.Id));
        Assert.DoesNotContain(await sweeper.SweepAsync(TestContext.Token), r => r.BookingId == paid.Id);
        await Sender.SendDueAsync(TestContext.Token);
        var startsSoon = Assert.Single(cloud.ReceivedBy(driver.Email), m => (m.Subject ?? string.Empty).Contains("starts at", StringComparison.Ordinal));
        Assert.Equal(3, cloud.ReceivedBy(driver.Email).Count); // confirmation, receipt, starts soon
        Assert.Single(cloud.ReceivedBy(holder.Email));
    }

    private Task<OutboxMessage?> ReminderAsync(NotificationKind kind, Guid bookingId) =>
        Outbox.FindAsync(kind, bookingId.ToString("D"), TestContext.Token);

    private Task<(TestUser User, BookingResponse Booking)> HoldAsync() => TestBookings.HoldAsync(cloud);
}

/// <summary><see cref="NotificationTests"/> again, on PostgreSQL.</summary>
[Collection(PostgresNotificationCloudCollection.Name)]
public sealed class PostgresNotificationTests(PostgresNotificationCloud cloud) : NotificationTests(cloud)
{
    [Fact]
    public void Host_KeepsTheOutboxInPostgres() =>
        Assert.IsType<PostgresNotificationOutbox>(cloud.Services.GetRequiredService<INotificationOutbox>());
}
