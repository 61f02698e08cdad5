using ParkingLot.Cloud.Bookings;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Payments, refunds and the booking moves they cause (<see cref="BookingLifecycle"/>), on the embedded
/// store and on PostgreSQL. Each method is one transaction that locks the booking first, so a payment,
/// its webhook and a cancellation of one booking take turns.
/// </summary>
internal interface IPaymentStore
{
    /// <summary>
    /// Starts an attempt, or returns the one the caller's key started before, or the one still pending
    /// (never two open attempts of one booking). A new attempt extends the hold to
    /// <see cref="PaymentStart.ExtendHoldTo"/>, never past its creation + <see cref="PaymentStart.MaxHold"/>.
    /// The caller's Idempotency-Key is written on the attempt in the same transaction, and so are the
    /// loyalty discounts: the tier's and <see cref="PaymentStart.RedeemPoints"/> (a ledger entry).
    /// </summary>
    Task<PaymentStartResult> StartAsync(PaymentStart request, CancellationToken cancellationToken);

    /// <summary>Records the gateway's intent id on a pending attempt.</summary>
    Task AttachIntentAsync(Guid paymentId, string intentId, CancellationToken cancellationToken);

    /// <summary>
    /// The gateway says the money came. Confirms the booking if it is still held; otherwise records a
    /// full refund (pending). <paramref name="eventId"/> (a webhook's) is recorded so a replay changes nothing.
    /// The payment is found by its intent id, or, before that id was stored, by <paramref name="paymentId"/>
    /// (the intent's metadata, as signed by Stripe).
    /// </summary>
    Task<PaymentOutcome> SucceedAsync(string intentId, Guid? paymentId, string? eventId, DateTimeOffset now, Guid refundId, CancellationToken cancellationToken);

    /// <summary>The gateway says the payment failed (declined): the attempt fails, the hold stays until it expires.</summary>
    Task<PaymentOutcome> FailAsync(string intentId, Guid? paymentId, string? eventId, string error, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the user's held or confirmed booking. A held booking is cancelled with no refund; a
    /// confirmed one gets <paramref name="refundOf"/>(booking, paid) back (pending at the gateway) and
    /// its pass is revoked. Another user's booking is <see cref="CancelStatus.NotFound"/>.
    /// </summary>
    Task<CancelResult> CancelAsync(
        Guid bookingId, string userId, DateTimeOffset now, Func<Booking, long, long> refundOf, Guid refundId, CancellationToken cancellationToken);

    /// <summary>The gateway's answer to a refund.</summary>
    Task<Refund?> CompleteRefundAsync(Guid refundId, string? gatewayRefundId, bool succeeded, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<Payment>> ListPaymentsAsync(Guid bookingId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Refund>> ListRefundsAsync(Guid bookingId, CancellationToken cancellationToken);

    /// <summary>The user's loyalty points and ledger (newest first, at most <paramref name="limit"/> entries).</summary>
    Task<LoyaltyAccount> LoyaltyAsync(string userId, int limit, CancellationToken cancellationToken);

    /// <summary>Per lot, gateway and currency: succeeded payments and succeeded refunds in <c>[from, to)</c>.</summary>
    Task<IReadOnlyList<RevenueLine>> RevenueAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Refunds still pending at the gateway (it was unreachable), oldest first.</summary>
    Task<IReadOnlyList<Refund>> ListPendingRefundsAsync(int limit, CancellationToken cancellationToken);
}
