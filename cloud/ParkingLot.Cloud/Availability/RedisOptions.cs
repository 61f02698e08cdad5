using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Availability;

/// <summary>Redis, used when <c>ConnectionStrings:Redis</c> is set (configuration section <c>Redis</c>).</summary>
internal sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>The configuration key that selects Redis.</summary>
    public const string ConnectionStringName = "Redis";

    /// <summary>Prefix of every key and channel, so several deployments (or tests) can share one Redis. Default <c>parkinglot:</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9:_.-]{0,64}$")]
    public string KeyPrefix { get; set; } = "parkinglot:";

    /// <summary>
    /// Longest time an instance serves its local copy of a lot's availability without reading Redis
    /// again. Changes arrive sooner over pub/sub; this bounds staleness if a message is lost. Default 5 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan LocalCopyLifetime { get; set; } = TimeSpan.FromSeconds(5);
}
