namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Where the money is taken: Stripe (<see cref="StripeGateway"/>), or without a Stripe key the built-in
/// <see cref="TestGateway"/>. Calls are idempotent on the key they are given.
/// </summary>
internal interface IPaymentGateway
{
    PaymentGatewayKind Kind { get; }

    /// <summary>
    /// Creates the payment's intent for its amount, idempotent on <see cref="Payment.GatewayIdempotencyKey"/>.
    /// With a <paramref name="paymentMethod"/> (a Stripe payment method id such as a test card) it is
    /// confirmed at once; without, the client confirms it with the client secret.
    /// </summary>
    Task<GatewayIntent> CreateIntentAsync(Payment payment, string? paymentMethod, CancellationToken cancellationToken);

    /// <summary>Refunds part or all of the intent's payment, idempotent on <see cref="Refund.GatewayIdempotencyKey"/>.</summary>
    Task<GatewayRefund> RefundAsync(Refund refund, string intentId, CancellationToken cancellationToken);
}

internal enum GatewayStatus
{
    /// <summary>The client confirms it (card details go from the driver's device to Stripe, never through us).</summary>
    RequiresConfirmation,

    /// <summary>Confirmed; the webhook will say how it ended.</summary>
    Processing,

    /// <summary>The money came (the test gateway says so at once; Stripe's webhook says so too).</summary>
    Succeeded,

    /// <summary>The card was declined; <see cref="GatewayIntent.Error"/> says why, in words a driver can read.</summary>
    Declined,

    /// <summary>The gateway did not answer (after retries) or the circuit is open: nothing was charged by us.</summary>
    Unavailable,
}

internal sealed record GatewayIntent(GatewayStatus Status, string? IntentId = null, string? ClientSecret = null, string? Error = null);

internal sealed record GatewayRefund(GatewayStatus Status, string? RefundId = null, string? Error = null);
