using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Payments;
using ParkingLot.Shared;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Payments;

/// <summary>The Stripe gateway when nothing answers at Stripe's address: unavailable (→ 503), after its retries, never an exception.</summary>
public sealed class StripeGatewayTests
{
    [Fact]
    public async Task CreateIntentAndRefund_NothingListening_UnavailableAfterRetries()
    {
        var port = CloudApplication.FreeTcpPort(); // free, so nothing listens there
        using var gateway = new StripeGateway(
            Options.Create(new StripeOptions { SecretKey = StripeStandIn.StripeStandIn.ApiKey, ApiBase = new Uri($"http://127.0.0.1:{port}") }),
            Options.Create(new PaymentsOptions { RetryAttempts = 2, RetryDelay = TimeSpan.Zero }),
            TimeProvider.System,
            NullLogger<StripeGateway>.Instance);
        var payment = new Payment(
            Guid.NewGuid(), Guid.NewGuid(), "u", 1, null, PaymentGatewayKind.Stripe, null, PaymentStatus.Pending, new Money(800, "EUR"), "lot", null,
            TimeProvider.System.GetUtcNow(), null);
        var refund = new Refund(Guid.NewGuid(), payment.Id, payment.BookingId, "lot", new Money(100, "EUR"), RefundStatus.Pending, null, "test", TimeProvider.System.GetUtcNow(), null);

        var intent = await gateway.CreateIntentAsync(payment, "pm_card_visa", TestContext.Token);
        var refunded = await gateway.RefundAsync(refund, "pi_x", TestContext.Token);

        Assert.Equal((GatewayStatus.Unavailable, (string?)null), (intent.Status, intent.IntentId));
        Assert.Equal(GatewayStatus.Unavailable, refunded.Status);
    }
}
