using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stripe;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// <c>POST /api/v1/payments/webhook</c>, the source of truth for Stripe payments. The signature
/// (<c>Stripe-Signature</c>, HMAC-SHA256 over the timestamp and the exact body) is checked against
/// <c>Stripe:WebhookSecret</c> with a tolerance of <see cref="StripeOptions.WebhookTolerance"/> on the
/// service's clock; anything unsigned, wrongly signed or stale is 400 and changes nothing. With no
/// secret configured every webhook is 400. <c>payment_intent.succeeded</c> confirms;
/// <c>payment_intent.payment_failed</c> and <c>payment_intent.canceled</c> fail the attempt and leave the
/// hold to expire. A replayed event changes nothing (its id is recorded with
/// its effect); an intent we never created is acknowledged (200) and logged, so Stripe stops resending it.
/// </summary>
internal sealed class PaymentWebhook(
    PaymentService payments, IOptions<StripeOptions> options, TimeProvider timeProvider, ILogger<PaymentWebhook> logger)
{
    public const string SignatureHeader = "Stripe-Signature";

    public async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> HandleAsync(string body, string? signature, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret))
        {
            Log.WebhookRefused(logger, "no Stripe:WebhookSecret is configured");
            return ApiProblems.Invalid("Webhooks are refused: this service has no Stripe:WebhookSecret configured.");
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(
                body, signature ?? "", settings.WebhookSecret, (long)settings.WebhookTolerance.TotalSeconds,
                timeProvider.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException e)
        {
            Log.WebhookRefused(logger, e.Message);
            return ApiProblems.Invalid($"The webhook's {SignatureHeader} does not verify: {e.Message}");
        }
        catch (Newtonsoft.Json.JsonException)
        {
            Log.WebhookRefused(logger, "signed, but not a Stripe event");
            return ApiProblems.Invalid("The webhook body is not a Stripe event.");
        }

        switch (stripeEvent.Type)
        {
            case EventTypes.PaymentIntentSucceeded when stripeEvent.Data.Object is PaymentIntent intent:
                var succeeded = await payments.ApplySucceededAsync(intent.Id, PaymentIdOf(intent), stripeEvent.Id, cancellationToken);
                return TypedResults.Ok(new WebhookResponse(stripeEvent.Id, DescribeOutcome(succeeded.Status)));
            case EventTypes.PaymentIntentPaymentFailed or EventTypes.PaymentIntentCanceled when stripeEvent.Data.Object is PaymentIntent intent:
                // Declined, or the intent was cancelled (abandoned): the attempt fails and the hold runs out as usual.
                var reason = intent.LastPaymentError?.Message ?? (stripeEvent.Type == EventTypes.PaymentIntentCanceled ? "The payment was cancelled." : "The payment failed.");
                var failed = await payments.ApplyFailedAsync(intent.Id, PaymentIdOf(intent), stripeEvent.Id, reason, cancellationToken);
                return TypedResults.Ok(new WebhookResponse(stripeEvent.Id, DescribeOutcome(failed.Status)));
            default:
                Log.WebhookIgnored(logger, stripeEvent.Id, stripeEvent.Type);
                return TypedResults.Ok(new WebhookResponse(stripeEvent.Id, "ignored"));
        }
    }

    /// <summary>Our payment id, which the intent carries in its metadata (set when we created it).</summary>
    private static Guid? PaymentIdOf(PaymentIntent intent) =>
        intent.Metadata?.TryGetValue("payment_id", out var id) == true && Guid.TryParse(id, out var paymentId) ? paymentId : null;

    private static string DescribeOutcome(PaymentOutcomeStatus status) => status switch
    {
        PaymentOutcomeStatus.Applied => "applied",
        PaymentOutcomeStatus.AlreadyApplied => "already applied",
        PaymentOutcomeStatus.UnknownIntent => "unknown intent",
        _ => "refund due",
    };
}

/// <summary>What the webhook answers Stripe: the event and what became of it.</summary>
internal sealed record WebhookResponse(string EventId, string Outcome);
