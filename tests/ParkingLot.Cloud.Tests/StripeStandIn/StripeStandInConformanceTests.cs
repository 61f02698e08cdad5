using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Payments;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.StripeStandIn;

/// <summary>
/// The stand-in is held to Stripe itself: every response it gave while the cloud paid, was declined,
/// retried and refunded validates against Stripe's OpenAPI document, and the official Stripe CLI
/// (pointed at it with <c>--api-base</c>) drives it through a success, a decline and a refund.
/// </summary>
[Collection(StripeCloudCollection.Name)]
public sealed class StripeStandInConformanceTests(StripeCloud cloud)
{
    private static readonly Lazy<StripeOpenApi> OpenApi = new(() => StripeOpenApi.Load(StripeTools.OpenApiDocument));

    [Fact]
    public async Task Responses_CloudPaysIsDeclinedRetriesAndRefunds_EveryOneValidatesAgainstStripesOpenApi()
    {
        var before = cloud.Stripe.Responses.Count;
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var now = cloud.Clock.GetUtcNow();
        var paid = await PaymentSteps.HoldAsync(client, lot.LotId, now, TimeSpan.FromDays(2), TimeSpan.FromDays(2) + TimeSpan.FromHours(1));
        var declined = await PaymentSteps.HoldAsync(client, lot.LotId, now, TimeSpan.FromDays(3), TimeSpan.FromDays(3) + TimeSpan.FromHours(1));

        cloud.Stripe.FailNext(1);
        await PaymentSteps.PayAsync(client, paid.Id, key: "conformance", paymentMethod: "pm_card_visa");
        await PaymentSteps.PayAsync(client, paid.Id, key: "conformance", paymentMethod: "pm_card_visa");
        await cloud.Stripe.DrainWebhooksAsync();
        await client.PostAsync($"/api/v1/bookings/{paid.Id}/cancel", null, TestContext.Token);
        await PaymentSteps.PostAsync(client, declined.Id, paymentMethod: "pm_card_chargeDeclined");
        await PaymentSteps.PayAsync(client, declined.Id);
        await cloud.Stripe.DrainWebhooksAsync();

        var checkedResponses = cloud.Stripe.Responses.Skip(before).Select(r => (r.Method, r.Path, r.Status, Result: OpenApi.Value.Check(r.Method, r.Path, r.Status, r.Body))).ToList();
        Assert.Empty(checkedResponses.SelectMany(r => r.Result.Problems.Select(p => $"{r.Method} {r.Path} {r.Status} as {r.Result.Schema}: {p}")));
        // The run covered what it claims: an intent, an injected 500, a 402 decline and a refund.
        Assert.Equal(
            ["error/402", "error/500", "payment_intent/200", "refund/200"],
            checkedResponses.Select(r => $"{r.Result.Schema}/{r.Status}").Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Check_ResponseMissingARequiredField_Reported()
    {
        // The validator itself fails what Stripe would not send, so an empty list above means something.
        var intent = new JsonObject { ["id"] = "pi_1", ["object"] = "payment_intent", ["amount"] = 100, ["currency"] = "eur" };

        var (schema, problems) = OpenApi.Value.Check("GET", "/v1/payment_intents/pi_1", 200, intent.ToJsonString());

        Assert.Equal("payment_intent", schema);
        Assert.Contains(problems, p => p.Contains("required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StripeCli_SuccessDeclineAndRefund_AgainstTheStandIn()
    {
        await using var standIn = await StripeStandIn.StartAsync();

        var success = await CliAsync(standIn, "payment_intents", "create", "--amount", "800", "--currency", "eur", "--payment-method", "pm_card_visa", "--confirm=true");
        var decline = await CliAsync(standIn, "payment_intents", "create", "--amount", "800", "--currency", "eur", "--payment-method", "pm_card_chargeDeclined", "--confirm=true");
        var intentId = success["id"]!.GetValue<string>();
        var refund = await CliAsync(standIn, "refunds", "create", "--payment-intent", intentId, "--amount", "300");
        var tooMuch = await CliAsync(standIn, "refunds", "create", "--payment-intent", intentId, "--amount", "600");

        Assert.Equal("succeeded", success["status"]!.GetValue<string>());
        Assert.Equal(("card_error", "card_declined"), (decline["error"]!["type"]!.GetValue<string>(), decline["error"]!["code"]!.GetValue<string>()));
        Assert.Equal(("refund", 300L, intentId), (refund["object"]!.GetValue<string>(), refund["amount"]!.GetValue<long>(), refund["payment_intent"]!.GetValue<string>()));
        Assert.Equal("invalid_request_error", tooMuch["error"]!["type"]!.GetValue<string>());
        Assert.Equal(1, standIn.Charges);
        Assert.Empty(standIn.Responses.SelectMany(r => OpenApi.Value.Check(r.Method, r.Path, r.Status, r.Body).Problems));
    }

    /// <summary>Runs the Stripe CLI against the stand-in and returns the JSON it printed.</summary>
    private static async Task<JsonNode> CliAsync(StripeStandIn standIn, params string[] arguments)
    {
        var home = Directory.CreateTempSubdirectory("stripe-cli-home-");
        try
        {
            var start = new ProcessStartInfo(StripeTools.Cli)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["HOME"] = home.FullName, ["STRIPE_CLI_TELEMETRY_OPTOUT"] = "1", ["XDG_CONFIG_HOME"] = home.FullName },
            };
            foreach (var argument in arguments.Concat(["--api-key", StripeStandIn.ApiKey, "--api-base", standIn.ApiBase.ToString().TrimEnd('/'), "--color", "off"]))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Token);
            var error = process.StandardError.ReadToEndAsync(TestContext.Token);
            await process.WaitForExitAsync(TestContext.Token);
            var text = (await output).Trim();
            Assert.True(text.StartsWith('{'), $"stripe {string.Join(' ', arguments)} printed no JSON: {text} {await error}");
            return JsonNode.Parse(text)!;
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }
}
