using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Notifications;

/// <summary>
/// Renders each moment of a booking's life for the booking's driver and puts it in the outbox; the
/// <see cref="OutboxSender"/> delivers it. The outbox's (kind, subject id) key makes a second call
/// for the same moment a no-op. Nothing here throws for a missing booking, user or store problem:
/// it is post-commit work, so it logs and returns.
/// </summary>
internal sealed class BookingNotifications(
    IBookingStore bookings,
    IAccountStore accounts,
    LotCatalog catalog,
    ILotStore lots,
    INotificationOutbox outbox,
    TimeProvider timeProvider,
    ILogger<BookingNotifications> logger) : IBookingNotifications
{
    public Task BookingConfirmedAsync(Guid bookingId, CancellationToken cancellationToken) =>
        EnqueueAsync(NotificationKind.Confirmation, bookingId.ToString("D"), bookingId,
            (facts, _) => Task.FromResult(NotificationTemplates.Confirmation(facts)), cancellationToken);

    public Task PaymentReceiptAsync(Guid bookingId, string paymentId, Money amount, CancellationToken cancellationToken) =>
        EnqueueAsync(NotificationKind.Receipt, paymentId, bookingId,
            async (facts, ct) => NotificationTemplates.Receipt(facts, paymentId, amount, await ReproduceQuoteAsync(facts.Booking, ct)),
            cancellationToken);

    public Task RefundIssuedAsync(Guid bookingId, string refundId, Money amount, CancellationToken cancellationToken) =>
        EnqueueAsync(NotificationKind.Refund, refundId, bookingId,
            (facts, _) => Task.FromResult(NotificationTemplates.Refund(facts, refundId, amount)), cancellationToken);

    /// <summary>A time-driven moment found by the <see cref="NotificationSweeper"/> (hold expiring, starts soon).</summary>
    public Task ReminderAsync(DueReminder reminder, CancellationToken cancellationToken) =>
        EnqueueAsync(reminder.Kind, reminder.BookingId.ToString("D"), reminder.BookingId,
            (facts, _) => Task.FromResult(reminder.Kind switch
            {
                NotificationKind.HoldExpiring => NotificationTemplates.HoldExpiring(facts),
                NotificationKind.StartsSoon => NotificationTemplates.StartsSoon(facts),
                _ => throw new ArgumentOutOfRangeException(nameof(reminder), reminder.Kind, "Not a reminder."),
            }),
            cancellationToken);

    private async Task EnqueueAsync(
        NotificationKind kind, string subjectId, Guid bookingId, Func<BookingFacts, CancellationToken, Task<RenderedEmail>> render,
        CancellationToken cancellationToken)
    {
        try
        {
            if (await outbox.FindAsync(kind, subjectId, cancellationToken) is not null)
            {
                return;
            }

            var booking = await bookings.GetAsync(bookingId, cancellationToken);
            if (booking is null)
            {
                Log.NotificationBookingMissing(logger, kind, bookingId);
                return;
            }

            var user = Guid.TryParse(booking.UserId, out var userId) ? await accounts.FindByIdAsync(userId, cancellationToken) : null;
            if (user is null)
            {
                Log.NotificationRecipientMissing(logger, kind, bookingId, booking.UserId);
                return;
            }

            var lot = await catalog.FindAsync(booking.LotId, cancellationToken);
            var facts = new BookingFacts(booking, lot?.Name ?? booking.LotId, Zone(lot?.TimeZone));
            var email = await render(facts, cancellationToken);
            var now = timeProvider.GetUtcNow();
            var message = new OutboxMessage(
                Guid.NewGuid(), kind, subjectId, bookingId, user.Email, email.Subject, email.Text, email.Html,
                OutboxStatus.Pending, 0, now, null, now, null);
            if (await outbox.EnqueueAsync(message, cancellationToken))
            {
                Log.NotificationQueued(logger, kind, subjectId, bookingId);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.NotificationEnqueueFailed(logger, kind, subjectId, bookingId, exception);
        }
    }

    /// <summary>
    /// The booking's quote again, from the tariff version it was priced with and the demand band of its
    /// locked multiplier: the fee lines of the receipt. Null when that does not give the locked total
    /// (the version was removed, or the bands changed meaning), so the receipt never shows lines that
    /// do not add up to what was charged.
    /// </summary>
    private async Task<FeeQuote?> ReproduceQuoteAsync(Booking booking, CancellationToken cancellationToken)
    {
        var tariff = await lots.GetTariffAsync(booking.LotId, booking.TariffVersion, cancellationToken);
        if (tariff is null || !tariff.VehicleTypes.ContainsKey(booking.VehicleType))
        {
            return null;
        }

        var occupancy = tariff.DemandBands.FirstOrDefault(b => b.MultiplierPercent == booking.DemandMultiplierPercent)?.OccupancyFrom ?? 0;
        var quote = TariffEngine.Quote(tariff, booking.VehicleType, booking.StartTime, booking.EndTime, occupancy);
        return quote.Total == booking.Amount && quote.TariffVersion == booking.TariffVersion ? quote : null;
    }

    private static TimeZoneInfo Zone(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
