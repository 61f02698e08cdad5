namespace ParkingLot.Cloud.Payments;

/// <summary>
/// THE TEST GATEWAY: takes no money. Active only when no <c>Stripe:SecretKey</c> is configured, so the
/// README's main command does register → book → pay → pass on a bare machine. Every payment succeeds
/// at once, except with Stripe's test payment method for a declined card (<c>pm_card_chargeDeclined</c>
/// or <c>pm_card_visa_chargeDeclined</c>), so a driver can try that path too. Intent and refund ids
/// start with <c>test_</c>, and the service logs a warning at start that it is active.
/// </summary>
internal sealed class TestGateway : IPaymentGateway
{
    public const string IdPrefix = "test_";

    private static readonly HashSet<string> Declining = new(StringComparer.Ordinal) { "pm_card_chargeDeclined", "pm_card_visa_chargeDeclined" };

    public PaymentGatewayKind Kind => PaymentGatewayKind.Test;

    public Task<GatewayIntent> CreateIntentAsync(Payment payment, string? paymentMethod, CancellationToken cancellationToken) =>
        Task.FromResult(paymentMethod is not null && Declining.Contains(paymentMethod)
            ? new GatewayIntent(GatewayStatus.Declined, $"{IdPrefix}pi_{payment.Id:N}", null, "Your card was declined. (test gateway)")
            : new GatewayIntent(GatewayStatus.Succeeded, $"{IdPrefix}pi_{payment.Id:N}"));

    public Task<GatewayRefund> RefundAsync(Refund refund, string intentId, CancellationToken cancellationToken) =>
        Task.FromResult(new GatewayRefund(GatewayStatus.Succeeded, $"{IdPrefix}re_{refund.Id:N}"));
}
