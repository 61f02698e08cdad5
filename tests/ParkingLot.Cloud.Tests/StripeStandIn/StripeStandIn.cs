using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ParkingLot.Cloud.Tests.StripeStandIn;

/// <summary>
/// A local HTTP stand-in for the few Stripe endpoints the cloud calls (PaymentIntents create, retrieve
/// and confirm; refunds), on 127.0.0.1. It speaks Stripe's form-encoded requests, JSON objects and
/// error shapes, honours Idempotency-Key the way Stripe does (a repeat gets the first response), and
/// sends webhooks signed with Stripe's scheme (<c>Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")</c>)
/// to <see cref="WebhookTarget"/>. Stripe's test payment methods drive it: <c>pm_card_visa</c> succeeds,
/// <c>pm_card_chargeDeclined</c> / <c>pm_card_visa_chargeDeclined</c> are declined. Every response body
/// is kept in <see cref="Responses"/>, so a test can hold them to Stripe's OpenAPI document.
/// </summary>
public sealed class StripeStandIn : IAsyncDisposable
{
    public const string ApiKey = "sk_test_standin";

    private static readonly HashSet<string> Declining = new(StringComparer.Ordinal) { "pm_card_chargeDeclined", "pm_card_visa_chargeDeclined" };

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _intents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Status, string Body)> _idempotent = new(StringComparer.Ordinal);
    private readonly List<Task> _deliveries = [];
    private int _failuresLeft;

    private StripeStandIn(WebApplication app, string webhookSecret)
    {
        _app = app;
        WebhookSecret = webhookSecret;
    }

    public Uri ApiBase { get; private set; } = null!;

    public string WebhookSecret { get; }

    /// <summary>
    /// The stand-in's clock, for object timestamps and webhook signatures. A cloud under test with a fake
    /// clock shares it, as Stripe's and a server's clocks agree in production.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Where webhooks go (the cloud under test); null: none are sent.</summary>
    public HttpClient? WebhookTarget { get; set; }

    /// <summary>The webhook path on <see cref="WebhookTarget"/>.</summary>
    public string WebhookPath { get; set; } = "/api/v1/payments/webhook";

    /// <summary>Every (method, path, status, body) answered, in order.</summary>
    public ConcurrentQueue<(string Method, string Path, int Status, string Body)> Responses { get; } = new();

    /// <summary>Every webhook sent: the event JSON, its signature header and the cloud's answer.</summary>
    public ConcurrentQueue<(string Payload, string Signature, HttpStatusCode Answer)> Webhooks { get; } = new();

    /// <summary>Payment intents that reached <c>succeeded</c>: each one is a charge.</summary>
    public int Charges
    {
        get
        {
            lock (_gate)
            {
                return _intents.Values.Count(i => (string?)i["status"] == "succeeded");
            }
        }
    }

    /// <summary>Refunds created, by id.</summary>
    public ConcurrentDictionary<string, JsonObject> Refunds { get; } = new(StringComparer.Ordinal);

    /// <summary>Payment intents created (each create call that was not an idempotent replay).</summary>
    public int IntentsCreated
    {
        get
        {
            lock (_gate)
            {
                return _intents.Count;
            }
        }
    }

    public static async Task<StripeStandIn> StartAsync(string webhookSecret = "whsec_standin")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new StripeStandIn(app, webhookSecret);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.ApiBase = new Uri(address);
        return standIn;
    }

    /// <summary>The next <paramref name="count"/> API calls answer 500 <c>api_error</c> without any effect (Stripe having a bad minute).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    /// <summary>Waits for every webhook sent so far to be answered.</summary>
    public async Task DrainWebhooksAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _deliveries];
        }

        await Task.WhenAll(pending);
    }

    /// <summary>Stripe's signature header for a payload at a time, with a secret.</summary>
    public static string Sign(string payload, DateTimeOffset at, string secret)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>An event of <paramref name="type"/> about an intent, as Stripe would send it.</summary>
    public static string EventJson(string type, JsonObject intent, TimeProvider? clock = null) => new JsonObject
    {
        ["id"] = "evt_" + RandomId(),
        ["object"] = "event",
        ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
        ["created"] = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds(),
        ["data"] = new JsonObject { ["object"] = intent.DeepClone() },
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["type"] = type,
    }.ToJsonString();

    /// <summary>A copy of an intent as stored.</summary>
    public JsonObject Intent(string id)
    {
        lock (_gate)
        {
            return (JsonObject)_intents[id].DeepClone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var (status, body) = Answer(request.Method, request.Path.Value ?? "", request.Headers.Authorization.ToString(),
            request.Headers["Idempotency-Key"].ToString(), form is null ? [] : form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal));
        Responses.Enqueue((request.Method, request.Path.Value ?? "", status, body));
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers["Request-Id"] = "req_" + RandomId();
        await http.Response.WriteAsync(body);
    }

    private (int Status, string Body) Answer(string method, string path, string authorization, string idempotencyKey, Dictionary<string, string> form)
    {
        if (authorization != $"Bearer {ApiKey}")
        {
            return Error(401, "invalid_request_error", null, "Invalid API Key provided.");
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Error(500, "api_error", null, "An unknown error occurred (stand-in: injected failure).");
        }

        lock (_gate)
        {
            // Stripe replays the first response to a POST with the same Idempotency-Key.
            var replayKey = method == "POST" && idempotencyKey.Length > 0 ? $"{path} {idempotencyKey}" : null;
            if (replayKey is not null && _idempotent.TryGetValue(replayKey, out var earlier))
            {
                return earlier;
            }

            var answer = Route(method, path, form);
            if (replayKey is not null && answer.Status < 500)
            {
                _idempotent[replayKey] = answer;
            }

            return answer;
        }
    }

    private (int Status, string Body) Route(string method, string path, Dictionary<string, string> form)
    {
        var parts = path.Trim('/').Split('/');
        return (method, parts) switch
        {
            ("POST", ["v1", "payment_intents"]) => CreateIntent(form),
            ("GET", ["v1", "payment_intents", var id]) => _intents.TryGetValue(id, out var intent) ? (200, intent.ToJsonString()) : NoSuch("payment_intent", id),
            ("POST", ["v1", "payment_intents", var id, "confirm"]) => _intents.TryGetValue(id, out var intent)
                ? Confirm(intent, form.GetValueOrDefault("payment_method"))
                : NoSuch("payment_intent", id),
            ("POST", ["v1", "refunds"]) => CreateRefund(form),
            _ => Error(404, "invalid_request_error", null, $"Unrecognized request URL ({method}: {path})."),
        };
    }

    private (int Status, string Body) CreateIntent(Dictionary<string, string> form)
    {
        if (!long.TryParse(form.GetValueOrDefault("amount"), CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return Error(400, "invalid_request_error", "parameter_missing", "Missing required param: amount.", param: "amount");
        }

        if (form.GetValueOrDefault("currency") is not { Length: 3 } currency)
        {
            return Error(400, "invalid_request_error", "parameter_missing", "Missing required param: currency.", param: "currency");
        }

        var id = "pi_" + RandomId();
        var metadata = new JsonObject();
        foreach (var (key, value) in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[key["metadata[".Length..^1]] = value;
        }

        var intent = new JsonObject
        {
            ["id"] = id,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_capturable"] = 0,
            ["amount_received"] = 0,
            ["capture_method"] = "automatic_async",
            ["client_secret"] = $"{id}_secret_{RandomId()}",
            ["confirmation_method"] = "automatic",
            ["created"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["currency"] = currency,
            ["last_payment_error"] = null,
            ["latest_charge"] = null,
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["payment_method"] = null,
            ["payment_method_types"] = new JsonArray("card"),
            ["status"] = "requires_payment_method",
        };
        _intents[id] = intent;
        return form.GetValueOrDefault("confirm") == "true" ? Confirm(intent, form.GetValueOrDefault("payment_method")) : (200, intent.ToJsonString());
    }

    private (int Status, string Body) Confirm(JsonObject intent, string? paymentMethod)
    {
        if (paymentMethod is null)
        {
            return Error(400, "invalid_request_error", "payment_intent_unexpected_state",
                "You cannot confirm this PaymentIntent because it's missing a payment method.", intent: intent);
        }

        if ((string?)intent["status"] == "succeeded")
        {
            return Error(400, "invalid_request_error", "payment_intent_unexpected_state",
                "This PaymentIntent's payment_method could not be updated because it has a status of succeeded.", intent: intent);
        }

        intent["payment_method"] = paymentMethod;
        if (Declining.Contains(paymentMethod))
        {
            intent["status"] = "requires_payment_method";
            intent["last_payment_error"] = new JsonObject
            {
                ["type"] = "card_error",
                ["code"] = "card_declined",
                ["decline_code"] = "generic_decline",
                ["message"] = "Your card was declined.",
            };
            Send("payment_intent.payment_failed", intent);
            return Error(402, "card_error", "card_declined", "Your card was declined.", declineCode: "generic_decline", intent: intent);
        }

        intent["status"] = "succeeded";
        intent["last_payment_error"] = null;
        intent["amount_received"] = intent["amount"]!.GetValue<long>();
        intent["latest_charge"] = "ch_" + RandomId();
        Send("payment_intent.succeeded", intent);
        return (200, intent.ToJsonString());
    }

    private (int Status, string Body) CreateRefund(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("payment_intent") is not { } intentId || !_intents.TryGetValue(intentId, out var intent))
        {
            return NoSuch("payment_intent", form.GetValueOrDefault("payment_intent") ?? "");
        }

        var received = intent["amount_received"]!.GetValue<long>();
        var refunded = Refunds.Values.Where(r => (string?)r["payment_intent"] == intentId).Sum(r => r["amount"]!.GetValue<long>());
        var amount = long.TryParse(form.GetValueOrDefault("amount"), CultureInfo.InvariantCulture, out var asked) ? asked : received - refunded;
        if ((string?)intent["status"] != "succeeded" || amount < 1 || amount > received - refunded)
        {
            return Error(400, "invalid_request_error", "charge_already_refunded",
                $"Refund amount ({amount}) is greater than unrefunded amount on charge ({received - refunded}).", param: "amount");
        }

        var refund = new JsonObject
        {
            ["id"] = "re_" + RandomId(),
            ["object"] = "refund",
            ["amount"] = amount,
            ["charge"] = intent["latest_charge"]!.GetValue<string>(),
            ["created"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["currency"] = intent["currency"]!.GetValue<string>(),
            ["metadata"] = new JsonObject(),
            ["payment_intent"] = intentId,
            ["reason"] = null,
            ["status"] = "succeeded",
        };
        Refunds[refund["id"]!.GetValue<string>()] = refund;
        return (200, refund.ToJsonString());
    }

    private void Send(string type, JsonObject intent)
    {
        if (WebhookTarget is not { } target)
        {
            return;
        }

        var payload = EventJson(type, intent, Clock);
        var signature = Sign(payload, Clock.GetUtcNow(), WebhookSecret);
        // Stripe delivers after it answered the API call, from elsewhere: so does the stand-in.
        _deliveries.Add(Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WebhookPath) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
            using var response = await target.SendAsync(request);
            Webhooks.Enqueue((payload, signature, response.StatusCode));
        }));
    }

    private static (int Status, string Body) NoSuch(string kind, string id) =>
        Error(404, "invalid_request_error", "resource_missing", $"No such {kind}: '{id}'", param: "id");

    private static (int Status, string Body) Error(
        int status, string type, string? code, string message, string? declineCode = null, string? param = null, JsonObject? intent = null)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
        {
            error["code"] = code;
            error["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}";
        }

        if (declineCode is not null)
        {
            error["decline_code"] = declineCode;
        }

        if (param is not null)
        {
            error["param"] = param;
        }

        if (intent is not null)
        {
            error["payment_intent"] = intent.DeepClone();
        }

        return (status, new JsonObject { ["error"] = error }.ToJsonString());
    }

    private static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
