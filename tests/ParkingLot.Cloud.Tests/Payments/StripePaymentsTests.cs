using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Payments;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.StripeStandIn;
using ParkingLot.Shared;
using ParkingLot.Tests.Common;
using static ParkingLot.Cloud.Tests.Bookings.BookingsApiTests;
using StandIn = ParkingLot.Cloud.Tests.StripeStandIn.StripeStandIn;

namespace ParkingLot.Cloud.Tests.Payments;

/// <summary>
/// Payments through Stripe.net against the Stripe stand-in: the webhook confirms, replays and forgeries
/// change nothing, a double or concurrent submit charges once, a decline keeps the hold, an outage
/// answers 503 and charges nothing, and cancelling refunds by policy and revokes the pass.
/// </summary>
[Collection(StripeCloudCollection.Name)]
public class StripePaymentsTests(StripeCloud cloud)
{
    private static readonly TimeSpan Hours2 = TimeSpan.FromHours(2);
    private static readonly TimeSpan Hours3 = TimeSpan.FromHours(3);

    private DateTimeOffset Now => cloud.Clock.GetUtcNow();

    [Fact]
    public async Task Pay_ClientConfirmsCard_WebhookConfirmsBookingThenPassIssued()
    {
        var (client, booking) = await HeldAsync();

        var payment = await PaymentSteps.PayAsync(client, booking.Id);
        var passWhileHeld = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);
        // The driver's device confirms with the client secret (Stripe.js); card data never passes the cloud.
        var confirm = await ConfirmAsClientAsync(payment.ClientSecret!, "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();

        Assert.Equal((PaymentStatus.Pending, BookingStatus.Held), (payment.Status, payment.BookingStatus));
        Assert.StartsWith("pi_", payment.ClientSecret, StringComparison.Ordinal);
        await AssertProblemAsync(passWhileHeld, HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token)).StatusCode);
        var money = await PaymentSteps.MoneyAsync(client, booking.Id);
        Assert.Equal([(PaymentStatus.Succeeded, booking.Amount)], money.Payments.Select(p => (p.Status, p.Amount)));
    }

    [Fact]
    public async Task Pay_DoubleSubmitSameKey_OneIntentOneCharge()
    {
        var (client, booking) = await HeldAsync();
        var (intents, charges) = (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges);

        var first = await PaymentSteps.PayAsync(client, booking.Id, key: "pay-once", paymentMethod: "pm_card_visa");
        var second = await PaymentSteps.PayAsync(client, booking.Id, key: "pay-once", paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();

        Assert.Equal(first.PaymentId, second.PaymentId);
        Assert.Equal((intents + 1, charges + 1), (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges));
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
        Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Payments);
    }

    [Fact]
    public async Task Pay_FiveConcurrentRequests_OneIntentOneCharge()
    {
        var (client, booking) = await HeldAsync();
        var (intents, charges) = (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges);

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
            PaymentSteps.PostAsync(client, booking.Id, key: i % 2 == 0 ? null : $"concurrent-{i}", paymentMethod: "pm_card_visa")));
        await cloud.Stripe.DrainWebhooksAsync();

        // Each answer is the one attempt (200) or, once the webhook confirmed it, "already paid" (409).
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Equal((intents + 1, charges + 1), (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges));
        Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Payments);
    }

    [Fact]
    public async Task Webhook_ReplayedAfterCancel_NoSecondEffect()
    {
        var (client, booking) = await HeldAsync();
        await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();
        var (payload, _, _) = cloud.Stripe.Webhooks.Single(w => w.Payload.Contains(booking.Id.ToString("D"), StringComparison.Ordinal));
        await client.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token);
        var before = await PaymentSteps.GetAsync(client, booking.Id);

        var replay = await PostWebhookAsync(payload, StandIn.Sign(payload, Now, cloud.Stripe.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("already applied", (await replay.Content.ReadFromJsonAsync<WebhookResponse>(CloudApplication.Json, TestContext.Token))!.Outcome);
        var after = await PaymentSteps.GetAsync(client, booking.Id);
        Assert.Equal((BookingStatus.Refunded, before.Version), (after.Status, after.Version));
        Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Refunds);
    }

    public static TheoryData<string> Forgeries() => ["unsigned", "wrong secret", "stale", "body altered"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Webhook_ForgedOrStale_400AndNoEffect(string forgery)
    {
        var (client, booking) = await HeldAsync();
        var payment = await PaymentSteps.PayAsync(client, booking.Id);
        var intent = cloud.Stripe.Intent(IntentOf(payment.ClientSecret!));
        intent["status"] = "succeeded";
        var payload = StandIn.EventJson("payment_intent.succeeded", intent);
        var secret = cloud.Stripe.WebhookSecret;

        var response = forgery switch
        {
            "unsigned" => await PostWebhookAsync(payload, null),
            "wrong secret" => await PostWebhookAsync(payload, StandIn.Sign(payload, Now, "whsec_someone_else")),
            "stale" => await PostWebhookAsync(payload, StandIn.Sign(payload, Now.AddSeconds(-301), secret)),
            _ => await PostWebhookAsync(payload.Replace("\"livemode\":false", "\"livemode\":true", StringComparison.Ordinal), StandIn.Sign(payload, Now, secret)),
        };

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(BookingStatus.Held, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
        Assert.Equal([PaymentStatus.Pending], (await PaymentSteps.MoneyAsync(client, booking.Id)).Payments.Select(p => p.Status));
    }

    [Fact]
    public async Task Webhook_SignedWithinTolerance_Accepted()
    {
        // The other side of the stale case: 299 s old still verifies, so the 400 above is the tolerance, not the clock.
        var (client, booking) = await HeldAsync();
        var payment = await PaymentSteps.PayAsync(client, booking.Id);
        var intent = cloud.Stripe.Intent(IntentOf(payment.ClientSecret!));
        var payload = StandIn.EventJson("payment_intent.succeeded", intent);

        var response = await PostWebhookAsync(payload, StandIn.Sign(payload, Now.AddSeconds(-299), cloud.Stripe.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
    }

    [Fact]
    public async Task Webhook_IntentCanceled_AttemptFailsHoldKeptAndNextAttemptAllowed()
    {
        var (client, booking) = await HeldAsync();
        var payment = await PaymentSteps.PayAsync(client, booking.Id);
        var intent = cloud.Stripe.Intent(IntentOf(payment.ClientSecret!));
        intent["status"] = "canceled";
        var payload = StandIn.EventJson("payment_intent.canceled", intent);

        var response = await PostWebhookAsync(payload, StandIn.Sign(payload, Now, cloud.Stripe.WebhookSecret));
        var next = await PaymentSteps.PayAsync(client, booking.Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var money = await PaymentSteps.MoneyAsync(client, booking.Id);
        Assert.Equal((BookingStatus.Held, 2), (money.Status, next.Attempt));
        Assert.Equal([(PaymentStatus.Failed, "The payment was cancelled."), (PaymentStatus.Pending, (string?)null)], money.Payments.Select(p => (p.Status, p.Error)));
    }

    [Fact]
    public async Task Webhook_UnknownIntent_200AndNothingChanged()
    {
        var (client, booking) = await HeldAsync();
        await PaymentSteps.PayAsync(client, booking.Id);
        var stranger = new JsonObject { ["id"] = "pi_not_ours", ["object"] = "payment_intent", ["amount"] = 100, ["currency"] = "eur", ["status"] = "succeeded" };
        var payload = StandIn.EventJson("payment_intent.succeeded", stranger);

        var response = await PostWebhookAsync(payload, StandIn.Sign(payload, Now, cloud.Stripe.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unknown intent", (await response.Content.ReadFromJsonAsync<WebhookResponse>(CloudApplication.Json, TestContext.Token))!.Outcome);
        Assert.Equal(BookingStatus.Held, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
    }

    [Fact]
    public async Task Pay_DeclinedCard_402ClearErrorHoldKeptThenAnotherCardPays()
    {
        var (client, booking) = await HeldAsync();
        var charges = cloud.Stripe.Charges;

        var declined = await PaymentSteps.PostAsync(client, booking.Id, paymentMethod: "pm_card_chargeDeclined");
        await cloud.Stripe.DrainWebhooksAsync();
        var held = await PaymentSteps.GetAsync(client, booking.Id);
        var pass = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);
        var retried = await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();

        var problem = await AssertProblemAsync(declined, HttpStatusCode.PaymentRequired);
        Assert.Contains("Your card was declined.", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("stays held until", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(BookingStatus.Held, held.Status);
        Assert.True(held.ExpiresAt > Now, "the hold is kept until its expiry");
        await AssertProblemAsync(pass, HttpStatusCode.Conflict);
        Assert.Equal(2, retried.Attempt);
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
        Assert.Equal(charges + 1, cloud.Stripe.Charges);
    }

    [Fact]
    public async Task Pay_StripeFailsOnce_RetriedWithSameKeyOneCharge()
    {
        var (client, booking) = await HeldAsync();
        var (intents, charges) = (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges);
        cloud.Stripe.FailNext(1);

        var payment = await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();

        Assert.Equal(PaymentStatus.Pending, payment.Status);
        Assert.Equal((intents + 1, charges + 1), (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges));
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
    }

    [Fact]
    public async Task Pay_StripeDown_503HoldKeptNoChargeCircuitOpensThenSameAttemptPays()
    {
        var (client, booking) = await HeldAsync();
        var (intents, charges) = (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges);
        // A fresh sampling window for the breaker (its clock is the service's fake one).
        cloud.Clock.Advance(TimeSpan.FromSeconds(31));
        cloud.Stripe.FailNext(1000);

        var first = await PaymentSteps.PostAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        var second = await PaymentSteps.PostAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        var callsWhileOpen = cloud.Stripe.Responses.Count;
        var third = await PaymentSteps.PostAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        var callsAfterThird = cloud.Stripe.Responses.Count;
        var held = await PaymentSteps.GetAsync(client, booking.Id);
        cloud.Stripe.FailNext(0);
        cloud.Clock.Advance(TimeSpan.FromMinutes(1.5));
        var paid = await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();

        foreach (var response in new[] { first, second, third })
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("Nothing was charged", problem.Detail, StringComparison.Ordinal);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.Equal(callsWhileOpen, callsAfterThird); // the open circuit answered without calling Stripe
        Assert.Equal(BookingStatus.Held, held.Status);
        Assert.Equal(1, paid.Attempt); // the same attempt, under the same Stripe idempotency key
        Assert.Equal((intents + 1, charges + 1), (cloud.Stripe.IntentsCreated, cloud.Stripe.Charges));
        Assert.Equal(BookingStatus.Confirmed, (await PaymentSteps.GetAsync(client, booking.Id)).Status);
    }

    [Theory]
    [InlineData(48, "refunded", 100)]
    [InlineData(2, "refunded", 50)]
    public async Task Cancel_Confirmed_RefundByPolicyAtStripeShownAndPassRevoked(int startsInHours, string expectedStatus, int percent)
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromHours(startsInHours), TimeSpan.FromHours(startsInHours + 1));
        await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();
        var pass = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);

        var cancel = await client.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, pass.StatusCode);
        var cancelled = (await cancel.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
        var expected = new Money(booking.Amount.Minor * percent / 100, booking.Amount.Currency);
        Assert.Equal((Enum.Parse<BookingStatus>(expectedStatus, ignoreCase: true), expected), (cancelled.Status, cancelled.Refund!.Value));
        Assert.NotNull(cancelled.PassRevokedAt);
        await AssertProblemAsync(await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token), HttpStatusCode.Conflict);
        var refund = Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Refunds);
        Assert.Equal((expected, RefundStatus.Succeeded), (refund.Amount, refund.Status));
        var intentId = (await cloud.Services.GetRequiredService<IPaymentStore>().ListPaymentsAsync(booking.Id, TestContext.Token))[0].IntentId;
        Assert.Equal([expected.Minor], cloud.Stripe.Refunds.Values.Where(r => (string?)r["payment_intent"] == intentId).Select(r => r["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Cancel_StripeDownDuringRefund_RefundPendingThenSweeperSendsItOnce()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromDays(3), TimeSpan.FromDays(3) + Hours2);
        await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();
        var intentId = (await cloud.Services.GetRequiredService<IPaymentStore>().ListPaymentsAsync(booking.Id, TestContext.Token))[0].IntentId;
        cloud.Clock.Advance(TimeSpan.FromSeconds(31)); // a fresh sampling window for the breaker
        cloud.Stripe.FailNext(1000);

        var cancel = await client.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token);
        var pending = Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Refunds);
        cloud.Stripe.FailNext(0);
        cloud.Clock.Advance(TimeSpan.FromMinutes(1.5)); // past the break, if the circuit opened
        var sweeper = cloud.Services.GetRequiredService<PaymentSweeper>();
        await sweeper.SweepAsync(TestContext.Token);
        await sweeper.SweepAsync(TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode); // the cancellation stands; the money follows
        Assert.Equal((RefundStatus.Pending, booking.Amount), (pending.Status, pending.Amount));
        var refund = Assert.Single((await PaymentSteps.MoneyAsync(client, booking.Id)).Refunds);
        Assert.Equal(RefundStatus.Succeeded, refund.Status);
        Assert.Equal([booking.Amount.Minor], cloud.Stripe.Refunds.Values.Where(r => (string?)r["payment_intent"] == intentId).Select(r => r["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Cancel_ConfirmedAfterStart_NoRefundCancelledAndPassRevoked()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await PaymentSteps.HoldAsync(client, lot.LotId, Now, TimeSpan.FromMinutes(1), Hours2);
        await PaymentSteps.PayAsync(client, booking.Id, paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();
        cloud.Clock.Advance(TimeSpan.FromMinutes(2));

        var cancelled = (await (await client.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token))
            .Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;

        Assert.Equal((BookingStatus.Cancelled, 0L), (cancelled.Status, cancelled.Refund!.Value.Minor));
        Assert.NotNull(cancelled.PassRevokedAt);
        Assert.Empty((await PaymentSteps.MoneyAsync(client, booking.Id)).Refunds);
    }

    private async Task<(HttpClient Client, BookingResponse Booking)> HeldAsync()
    {
        var lot = await cloud.CreateLotAsync();
        var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        return (client, await PaymentSteps.HoldAsync(client, lot.LotId, Now, Hours2, Hours3));
    }

    /// <summary>What Stripe.js does on the driver's device: confirm the intent with its client secret and a payment method.</summary>
    private async Task<HttpResponseMessage> ConfirmAsClientAsync(string clientSecret, string paymentMethod)
    {
        using var http = new HttpClient { BaseAddress = cloud.Stripe.ApiBase };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StandIn.ApiKey);
        var intentId = IntentOf(clientSecret);
        return await http.PostAsync(
            $"/v1/payment_intents/{intentId}/confirm",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["payment_method"] = paymentMethod }),
            TestContext.Token);
    }

    /// <summary>A client secret is the intent id, "_secret_", and a random part.</summary>
    private static string IntentOf(string clientSecret) => clientSecret[..clientSecret.IndexOf("_secret_", StringComparison.Ordinal)];

    private async Task<HttpResponseMessage> PostWebhookAsync(string payload, string? signature)
    {
        using var client = cloud.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        }

        return await client.SendAsync(request, TestContext.Token);
    }
}

/// <summary><see cref="StripePaymentsTests"/> again, on PostgreSQL and Redis.</summary>
[Collection(PostgresRedisStripeCloudCollection.Name)]
public sealed class PostgresRedisStripePaymentsTests(PostgresRedisStripeCloud cloud) : StripePaymentsTests(cloud)
{
    [Fact]
    public void Host_RunsOnPostgresAndRedis() => Bookings.PostgresRedisBookingCloud.AssertOnPostgresAndRedis(cloud.Services);
}
