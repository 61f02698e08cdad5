using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Stripe;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Stripe through Stripe.net, behind one Polly pipeline: retries with jitter on transient failures
/// (network, 5xx, 429, timeouts), then a circuit breaker that answers <see cref="GatewayStatus.Unavailable"/>
/// at once while Stripe is down. Retrying cannot charge twice: every call carries the same Stripe
/// idempotency key, so Stripe answers a repeat with the first result. Stripe.net's own retries are off,
/// so the pipeline is the one place that decides.
/// </summary>
internal sealed class StripeGateway : IPaymentGateway, IDisposable
{
    private readonly HttpClient _http;
    private readonly StripeClient _client;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<StripeGateway> _logger;

    public StripeGateway(IOptions<StripeOptions> stripe, IOptions<PaymentsOptions> payments, TimeProvider timeProvider, ILogger<StripeGateway> logger)
    {
        _logger = logger;
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _client = new StripeClient(
            apiKey: stripe.Value.SecretKey,
            httpClient: new SystemNetHttpClient(_http, maxNetworkRetries: 0),
            apiBase: stripe.Value.ApiBase?.ToString().TrimEnd('/'));
        var settings = payments.Value;
        var transient = new PredicateBuilder()
            .Handle<StripeException>(IsTransient)
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>();
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(settings.RetryAttempts, 1),
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.StripeRetry(_logger, args.AttemptNumber + 1, args.Outcome.Exception?.GetType().Name ?? "?");
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = settings.BreakDuration,
                OnOpened = args =>
                {
                    Log.StripeCircuitOpened(_logger, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(settings.CallTimeout)
            .Build();
    }

    public PaymentGatewayKind Kind => PaymentGatewayKind.Stripe;

    public async Task<GatewayIntent> CreateIntentAsync(Payment payment, string? paymentMethod, CancellationToken cancellationToken)
    {
        var options = new PaymentIntentCreateOptions
        {
            Amount = payment.Amount.Minor,
            Currency = payment.Amount.Currency.ToLowerInvariant(),
            // Cards and other methods that need no redirect, so a server-side confirmation needs no return URL.
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
            Metadata = new Dictionary<string, string>
            {
                ["booking_id"] = payment.BookingId.ToString("D"),
                ["payment_id"] = payment.Id.ToString("D"),
                ["lot_id"] = payment.LotId,
            },
        };
        if (paymentMethod is not null)
        {
            options.PaymentMethod = paymentMethod;
            options.Confirm = true;
        }

        var request = new RequestOptions { IdempotencyKey = payment.GatewayIdempotencyKey };
        try
        {
            var intent = await _pipeline.ExecuteAsync(
                async token => await new PaymentIntentService(_client).CreateAsync(options, request, token), cancellationToken);
            return new GatewayIntent(
                intent.Status switch
                {
                    "succeeded" => GatewayStatus.Processing, // the webhook confirms the booking, not this answer
                    "processing" or "requires_capture" => GatewayStatus.Processing,
                    "requires_payment_method" when intent.LastPaymentError is not null => GatewayStatus.Declined,
                    _ => GatewayStatus.RequiresConfirmation,
                },
                intent.Id,
                intent.ClientSecret,
                intent.LastPaymentError?.Message);
        }
        catch (StripeException e) when (e.StripeError?.Type == "card_error")
        {
            return new GatewayIntent(GatewayStatus.Declined, e.StripeError.PaymentIntent?.Id, e.StripeError.PaymentIntent?.ClientSecret, e.StripeError.Message);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            Log.StripeUnavailable(_logger, "payment intent", payment.BookingId, e.GetType().Name, e.Message);
            return new GatewayIntent(GatewayStatus.Unavailable);
        }
    }

    public async Task<GatewayRefund> RefundAsync(Refund refund, string intentId, CancellationToken cancellationToken)
    {
        var options = new RefundCreateOptions
        {
            PaymentIntent = intentId,
            Amount = refund.Amount.Minor,
            Metadata = new Dictionary<string, string> { ["booking_id"] = refund.BookingId.ToString("D"), ["refund_id"] = refund.Id.ToString("D") },
        };
        var request = new RequestOptions { IdempotencyKey = refund.GatewayIdempotencyKey };
        try
        {
            var created = await _pipeline.ExecuteAsync(async token => await new RefundService(_client).CreateAsync(options, request, token), cancellationToken);
            return created.Status is "failed" or "canceled"
                ? new GatewayRefund(GatewayStatus.Declined, created.Id, created.FailureReason)
                : new GatewayRefund(GatewayStatus.Succeeded, created.Id);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            Log.StripeUnavailable(_logger, "refund", refund.BookingId, e.GetType().Name, e.Message);
            return new GatewayRefund(GatewayStatus.Unavailable);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Worth another try: Stripe's own advice is to retry 429, 5xx and connection failures with the same key.</summary>
    private static bool IsTransient(StripeException e) =>
        e.HttpStatusCode is HttpStatusCode.TooManyRequests || (int)e.HttpStatusCode >= 500 || (int)e.HttpStatusCode == 0
        || e.StripeError?.Type is "api_error" || e.InnerException is HttpRequestException;

    private static bool IsUnavailable(Exception e) =>
        e is BrokenCircuitException or TimeoutRejectedException or HttpRequestException || (e is StripeException s && IsTransient(s));
}
