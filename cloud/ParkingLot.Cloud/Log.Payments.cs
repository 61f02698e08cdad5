namespace ParkingLot.Cloud;

/// <summary>Payments, refunds and the Stripe webhook: event ids 9000–9499. Never card data (there is none) or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(9000, LogLevel.Warning, "TEST GATEWAY ACTIVE: no Stripe:SecretKey is configured, so payments succeed without taking money. Configure Stripe for real payments.")]
    public static partial void TestGatewayActive(ILogger logger);

    [LoggerMessage(9001, LogLevel.Information, "Payment {PaymentId} of booking {BookingId} started (attempt {Attempt}, {AmountMinor} {Currency}, {Gateway})")]
    public static partial void PaymentStarted(ILogger logger, Guid paymentId, Guid bookingId, int attempt, long amountMinor, string currency, string gateway);

    [LoggerMessage(9002, LogLevel.Information, "Payment {PaymentId} succeeded: booking {BookingId} confirmed ({AmountMinor} {Currency})")]
    public static partial void PaymentSucceeded(ILogger logger, Guid paymentId, Guid bookingId, long amountMinor, string currency);

    [LoggerMessage(9003, LogLevel.Information, "Payment {PaymentId} of booking {BookingId} declined: {Reason}; the hold stays until it expires")]
    public static partial void PaymentDeclined(ILogger logger, Guid paymentId, Guid bookingId, string reason);

    [LoggerMessage(9004, LogLevel.Warning, "Payment {PaymentId} succeeded after booking {BookingId} became {Status}: refunding it in full")]
    public static partial void PaymentTooLate(ILogger logger, Guid paymentId, Guid bookingId, string status);

    [LoggerMessage(9005, LogLevel.Warning, "Stripe event for unknown payment intent {IntentId} (event {EventId}): acknowledged, nothing changed")]
    public static partial void UnknownIntent(ILogger logger, string intentId, string eventId);

    [LoggerMessage(9006, LogLevel.Information, "Stripe event {EventId} for intent {IntentId} already applied: nothing changed")]
    public static partial void EventAlreadyApplied(ILogger logger, string eventId, string intentId);

    [LoggerMessage(9007, LogLevel.Warning, "Webhook refused: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string reason);

    [LoggerMessage(9008, LogLevel.Debug, "Stripe event {EventId} of type {Type} ignored")]
    public static partial void WebhookIgnored(ILogger logger, string eventId, string type);

    [LoggerMessage(9009, LogLevel.Warning, "Stripe call failed transiently; retry {Attempt} ({Failure})")]
    public static partial void StripeRetry(ILogger logger, int attempt, string failure);

    [LoggerMessage(9010, LogLevel.Error, "Stripe keeps failing: circuit open for {BreakDuration}; payments answer 503 meanwhile")]
    public static partial void StripeCircuitOpened(ILogger logger, TimeSpan breakDuration);

    [LoggerMessage(9011, LogLevel.Warning, "Stripe unavailable for the {Call} of booking {BookingId} ({Failure}: {Message}); nothing charged")]
    public static partial void StripeUnavailable(ILogger logger, string call, Guid bookingId, string failure, string message);

    [LoggerMessage(9012, LogLevel.Information, "Refund {RefundId} of booking {BookingId} issued: {AmountMinor} {Currency}")]
    public static partial void RefundIssued(ILogger logger, Guid refundId, Guid bookingId, long amountMinor, string currency);

    [LoggerMessage(9013, LogLevel.Warning, "Refund {RefundId} of booking {BookingId} ({AmountMinor} minor units) stays pending: the gateway is unavailable; the sweeper retries")]
    public static partial void RefundPending(ILogger logger, Guid refundId, Guid bookingId, long amountMinor);

    [LoggerMessage(9014, LogLevel.Error, "Refund {RefundId} of booking {BookingId} failed at the gateway: {Reason}")]
    public static partial void RefundFailed(ILogger logger, Guid refundId, Guid bookingId, string reason);

    [LoggerMessage(9015, LogLevel.Warning, "Retrying pending refunds failed; retrying at the next interval")]
    public static partial void RefundSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(9016, LogLevel.Warning, "Best-effort work after a commit failed; the committed change stands")]
    public static partial void PostCommitFailed(ILogger logger, Exception exception);
}
