using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Stripe credentials (configuration section <c>Stripe</c>). With no <see cref="SecretKey"/> the
/// built-in test gateway takes payments (never when a key is set); with no <see cref="WebhookSecret"/>
/// every webhook is refused.
/// </summary>
internal sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>The secret API key (<c>sk_live_…</c> / <c>sk_test_…</c>). Absent: the test gateway.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>). Absent: every webhook is answered 400.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where Stripe.net sends API calls; only tests change it (a local stand-in). Default Stripe's own.</summary>
    public Uri? ApiBase { get; set; }

    /// <summary>How old a webhook's signed timestamp may be. Default 300 seconds, Stripe's own default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);
}

/// <summary>Payments, holds being paid, calls to the gateway and refund policies (configuration section <c>Payments</c>).</summary>
internal sealed class PaymentsOptions
{
    public const string Section = "Payments";

    /// <summary>A hold being paid is kept at least this long from the start of the payment. Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan HoldExtension { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>…but never longer than this from the hold's creation. Default 30 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan MaxHold { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Retries of a transient gateway failure (network, 5xx, 429), with exponential backoff and jitter. Default 3.</summary>
    [Range(0, 10)]
    public int RetryAttempts { get; set; } = 3;

    /// <summary>The first retry's delay (0: retry at once). Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the circuit stays open (payments answer 503) once the gateway kept failing. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "00:10:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One gateway call's time limit. Default 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The refund policy of lots without their own entry in <see cref="RefundPolicies"/>.</summary>
    [Required]
    public RefundPolicy DefaultRefundPolicy { get; set; } = new();

    /// <summary>Refund policies by lot id.</summary>
    public Dictionary<string, RefundPolicy> RefundPolicies { get; set; } = new(StringComparer.Ordinal);

    public RefundPolicy RefundPolicyOf(string lotId) => RefundPolicies.GetValueOrDefault(lotId) ?? DefaultRefundPolicy;
}
