using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.RateLimiting;

/// <summary>Request rate limits (configuration section <c>RateLimits</c>), fixed one-minute windows.</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Whether any limit applies. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per minute of one signed-in user, over every route. Default 600.</summary>
    [Range(1, int.MaxValue)]
    public int PerUserPerMinute { get; set; } = 600;

    /// <summary>Requests per minute from one IP address without a token, over every route. Default 300.</summary>
    [Range(1, int.MaxValue)]
    public int PerIpPerMinute { get; set; } = 300;

    /// <summary>
    /// Requests per minute from one IP address to <c>/api/v1/auth/*</c> (on top of the above):
    /// password guessing and mass registration stay slow. Default 20.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int AuthPerIpPerMinute { get; set; } = 20;
}

/// <summary>Largest request body accepted (configuration section <c>Requests</c>).</summary>
internal sealed class RequestLimitOptions
{
    public const string Section = "Requests";

    /// <summary>
    /// Bytes; larger bodies get 413. An endpoint may allow more with <c>[RequestSizeLimit]</c>
    /// (<c>.WithMetadata(new RequestSizeLimitAttribute(n))</c>). Default 1 MiB.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
