using ParkingLot.Cloud.Bookings;
using ParkingLot.Shared;

namespace ParkingLot.Cloud.Payments;

internal enum PaymentStatus
{
    /// <summary>Started; the gateway has not said yet whether the money came.</summary>
    Pending,

    /// <summary>The gateway took the money (for Stripe: the <c>payment_intent.succeeded</c> webhook).</summary>
    Succeeded,

    /// <summary>Declined or abandoned; the hold stays until it expires, and a new attempt may start.</summary>
    Failed,
}

/// <summary>Which gateway took a payment: Stripe, or the built-in test gateway of a machine without a Stripe key.</summary>
internal enum PaymentGatewayKind
{
    Stripe,
    Test,
}

/// <summary>
/// One payment attempt of a booking. <see cref="Amount"/> is what is charged: the booking's amount less
/// the loyalty tier's discount and the points redeemed. Card data never reaches us: the gateway holds it (I8).
/// </summary>
internal sealed record Payment(
    Guid Id,
    Guid BookingId,
    string UserId,
    int Attempt,
    string? IdempotencyKey,
    PaymentGatewayKind Gateway,
    string? IntentId,
    PaymentStatus Status,
    Money Amount,
    string LotId,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SucceededAt,
    long TierDiscountMinor = 0,
    long PointsRedeemed = 0)
{
    /// <summary>
    /// The key the gateway de-duplicates on: one per (booking, attempt), so a retried or concurrent
    /// request for the same attempt can never create a second charge.
    /// </summary>
    public string GatewayIdempotencyKey => $"booking-{BookingId:N}-attempt-{Attempt}";
}

internal enum RefundStatus
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>Money given back for a payment, decided by the lot's refund policy (or in full for a payment that came too late).</summary>
internal sealed record Refund(
    Guid Id,
    Guid PaymentId,
    Guid BookingId,
    string LotId,
    Money Amount,
    RefundStatus Status,
    string? GatewayRefundId,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
{
    /// <summary>One gateway refund per refund row, however often it is retried.</summary>
    public string GatewayIdempotencyKey => $"refund-{Id:N}";
}

/// <summary>
/// What the service asks the store to start: the caller, booking and key, and how the hold stretches
/// while it is paid: to <see cref="ExtendHoldTo"/>, but never past its creation + <see cref="MaxHold"/>.
/// </summary>
internal sealed record PaymentStart(
    Guid PaymentId,
    Guid BookingId,
    string UserId,
    string? IdempotencyKey,
    PaymentGatewayKind Gateway,
    DateTimeOffset Now,
    DateTimeOffset ExtendHoldTo,
    TimeSpan MaxHold,
    long RedeemPoints = 0);

internal enum PaymentStartStatus
{
    /// <summary>A new attempt was stored (with the caller's key) and the hold extended.</summary>
    Started,

    /// <summary>The same caller's key was used before: the attempt it started, unchanged.</summary>
    Replayed,

    /// <summary>Another attempt of the booking is still pending: that one, so a second charge cannot start.</summary>
    Joined,

    NotFound,

    /// <summary>The booking is not held (already paid, cancelled, expired).</summary>
    NotPayable,

    /// <summary>The caller's key was used for another booking.</summary>
    KeyReused,

    /// <summary>More points asked than the caller has, or than may pay this booking (<see cref="PaymentStartResult.RedeemablePoints"/>).</summary>
    PointsUnavailable,
}

internal sealed record PaymentStartResult(PaymentStartStatus Status, Payment? Payment = null, Booking? Booking = null, long RedeemablePoints = 0);

internal enum PaymentOutcomeStatus
{
    /// <summary>The payment's state changed (and the booking's, for a success).</summary>
    Applied,

    /// <summary>Already in that state (a replayed or duplicate event): nothing changed.</summary>
    AlreadyApplied,

    /// <summary>No payment has that intent id: nothing changed.</summary>
    UnknownIntent,

    /// <summary>The money came, but the booking was no longer held: a full refund was recorded (pending).</summary>
    RefundDue,
}

internal sealed record PaymentOutcome(PaymentOutcomeStatus Status, Payment? Payment = null, Booking? Booking = null, Refund? Refund = null);

/// <summary>
/// Online money of one lot, gateway and currency over a period: payments that succeeded in it and
/// refunds that completed in it (the online side of I5).
/// </summary>
internal sealed record RevenueLine(string LotId, PaymentGatewayKind Gateway, string Currency, long PaidMinor, long RefundedMinor)
{
    public long NetMinor => PaidMinor - RefundedMinor;
}

/// <summary>A driver's points: balance, tier (by points earned) and the ledger, newest first.</summary>
internal sealed record LoyaltyAccount(long Balance, long EarnedPoints, Loyalty.LoyaltyTier Tier, IReadOnlyList<LoyaltyEntry> Entries);

/// <summary>One append-only ledger entry.</summary>
internal sealed record LoyaltyEntry(Guid Id, Guid BookingId, Guid PaymentId, string Kind, long Points, DateTimeOffset CreatedAt);
