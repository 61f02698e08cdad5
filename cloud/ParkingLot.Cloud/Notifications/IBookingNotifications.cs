using ParkingLot.Shared;

namespace ParkingLot.Cloud.Notifications;

/// <summary>
/// The moments of a booking's life that a driver is told about by e-mail, as the booking and payment
/// code reports them. Called after the change has committed. An implementation records the message in
/// a durable outbox keyed by (kind, subject id), so a second call for the same moment sends nothing
/// more, and it never throws for a delivery problem: post-commit work is best-effort.
/// Time-driven messages (a hold about to expire, a booking that starts soon) are found by the
/// notification sweeper itself and are not part of this interface.
/// </summary>
internal interface IBookingNotifications
{
    /// <summary>The booking was paid and is confirmed.</summary>
    Task BookingConfirmedAsync(Guid bookingId, CancellationToken cancellationToken);

    /// <summary>A payment for the booking succeeded: the receipt (fee lines, tariff version, amount).</summary>
    Task PaymentReceiptAsync(Guid bookingId, string paymentId, Money amount, CancellationToken cancellationToken);

    /// <summary>A refund for the booking was issued.</summary>
    Task RefundIssuedAsync(Guid bookingId, string refundId, Money amount, CancellationToken cancellationToken);
}
