using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Idempotency;

/// <summary>How long <c>Idempotency-Key</c>s are remembered (configuration section <c>Idempotency</c>).</summary>
internal sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>How long a key and its first response are kept. Default 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a key stays claimed by a request that has not finished; after that (the instance died
    /// mid-request) a retry may run it again. Default 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan InProgressTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often expired keys are deleted from the SQL stores. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
