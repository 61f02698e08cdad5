using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Payments;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;
using static ParkingLot.Cloud.Tests.Bookings.BookingsApiTests;
using StandIn = ParkingLot.Cloud.Tests.StripeStandIn.StripeStandIn;

namespace ParkingLot.Cloud.Tests.Payments;

/// <summary>
/// A cloud with no Stripe key and no webhook secret (the README's main command): the labelled test
/// gateway completes payments, and every webhook is refused.
/// </summary>
[Collection(BookingCloudCollection.Name)]
public sealed class TestGatewayTests(BookingCloud cloud)
{
    private DateTimeOffset Now => cloud.Clock.GetUtcNow();

    [Fact]
    public async Task Pay_NoStripeKey_TestGatewayConfirmsAtOncePassIssuedAndLabelled()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        var passWhileHeld = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);

        var payment = await PaymentSteps.PayAsync(client, booking.Id);

        var problem = await AssertProblemAsync(passWhileHeld, HttpStatusCode.Conflict);
        Assert.Contains("not paid", problem.Detail, StringComparison.Ordinal);
        Assert.IsType<TestGateway>(cloud.Services.GetRequiredService<IPaymentGateway>());
        Assert.Equal((PaymentStatus.Succeeded, BookingStatus.Confirmed, booking.Amount), (payment.Status, payment.BookingStatus, payment.Amount));
        Assert.Contains("test gateway", payment.Gateway, StringComparison.Ordinal);
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token)).StatusCode);
    }

    [Fact]
    public async Task Pay_AlreadyPaidOrUnknownOrAnothersBooking_409Or404AndNoSecondPayment()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        using var other = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        await PaymentSteps.PayAsync(client, booking.Id);

        var again = await PaymentSteps.PostAsync(client, booking.Id);
        var theirs = await PaymentSteps.PostAsync(other, booking.Id);
        var unknown = await PaymentSteps.PostAsync(client, Guid.NewGuid());

        Assert.Contains("Already paid", (await AssertProblemAsync(again, HttpStatusCode.Conflict)).Title, StringComparison.Ordinal);
        await AssertProblemAsync(theirs, HttpStatusCode.NotFound);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Payments);
    }

    [Fact]
    public async Task Pay_TestGatewayDeclineCard_402AndHoldKept()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromHours(1), TimeSpan.FromHours(2));

        var declined = await PaymentSteps.PostAsync(client, booking.Id, paymentMethod: "pm_card_chargeDeclined");

        await AssertProblemAsync(declined, HttpStatusCode.PaymentRequired);
        Assert.Equal(BookingStatus.Held, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
    }

    [Fact]
    public async Task Loyalty_PayEarnsPointsThenRedeemedAtTheNextPaymentAndTooManyRefused422()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var first = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromHours(1), TimeSpan.FromHours(9));
        var firstPaid = await PaymentSteps.PayAsync(client, first.Id);
        var earned = (await client.GetFromJsonAsync<Loyalty.LoyaltyResponse>("/api/v1/me/loyalty", CloudApplication.Json, TestContext.Token))!;
        var second = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromHours(10), TimeSpan.FromHours(12));

        var tooMany = await client.PostAsJsonAsync("/api/v1/payments", new { bookingId = second.Id, redeemPoints = earned.Points + 1 }, TestContext.Token);
        var redeemed = await client.PostAsJsonAsync("/api/v1/payments", new { bookingId = second.Id, redeemPoints = 1 }, TestContext.Token);

        Assert.Equal(firstPaid.Amount.Minor / 100, earned.Points);
        Assert.True(earned.Points > 1, $"the first booking earns points ({firstPaid.Amount})");
        Assert.Equal("bronze", earned.Tier);
        Assert.Contains("at most", (await AssertProblemAsync(tooMany, HttpStatusCode.UnprocessableEntity)).Detail, StringComparison.Ordinal);
        var payment = (await redeemed.Content.ReadFromJsonAsync<PaymentResponse>(CloudApplication.Json, TestContext.Token))!;
        Assert.Equal((1L, second.Amount.Minor - 1), (payment.PointsRedeemed, payment.Amount.Minor));
    }

    [Fact]
    public async Task Webhook_NoWebhookSecretConfigured_EverySigned400()
    {
        var payload = StandIn.EventJson("payment_intent.succeeded", new System.Text.Json.Nodes.JsonObject { ["id"] = "pi_x", ["object"] = "payment_intent" });
        using var client = cloud.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", StandIn.Sign(payload, Now, "whsec_anything"));

        var response = await client.SendAsync(request, TestContext.Token);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Stripe:WebhookSecret", problem.Detail, StringComparison.Ordinal);
    }
}
