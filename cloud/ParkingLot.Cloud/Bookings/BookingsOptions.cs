using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Bookings;

/// <summary>Holds and their expiry (configuration section <c>Bookings</c>).</summary>
internal sealed class BookingsOptions
{
    public const string Section = "Bookings";

    /// <summary>How long a hold keeps its spot unpaid before it expires. Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the sweeper marks stale holds expired and refreshes the reserved counts of lots whose
    /// bookings started or ended. The checks never wait for it: a stale hold is free the moment it
    /// expires. Default 30 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far ahead a window may end. Default 366 days.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3660.00:00:00")]
    public TimeSpan MaxAdvance { get; set; } = TimeSpan.FromDays(366);
}

/// <summary>The cloud's pass-signing key (configuration section <c>Passes</c>).</summary>
internal sealed class PassesOptions
{
    public const string Section = "Passes";

    /// <summary>
    /// P-256 private key as PEM. Absent: a key is generated once and kept in
    /// <c>Storage:DataDirectory/pass-signing-key.pem</c>. Several instances must share one key: set it here.
    /// </summary>
    public string? SigningKeyPem { get; set; }
}
