using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// How much of a paid booking comes back when the driver cancels: everything before the cut-off,
/// <see cref="PartialPercent"/> between the cut-off and the start, nothing from the start on.
/// </summary>
internal sealed class RefundPolicy
{
    /// <summary>A full refund when cancelled at least this long before the start. Default 24 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "366.00:00:00")]
    public TimeSpan FullRefundBefore { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The share refunded after the cut-off and before the start, in percent (rounded down to the minor unit). Default 50.</summary>
    [Range(0, 100)]
    public int PartialPercent { get; set; } = 50;

    public long RefundOf(long paidMinor, DateTimeOffset start, DateTimeOffset now) =>
        now >= start ? 0
        : now <= start - FullRefundBefore ? paidMinor
        : paidMinor * PartialPercent / 100;
}
