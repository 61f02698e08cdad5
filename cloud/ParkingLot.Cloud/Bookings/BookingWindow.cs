namespace ParkingLot.Cloud.Bookings;

/// <summary>The window rules quotes, search and bookings share.</summary>
internal static class BookingWindow
{
    /// <summary>A window may start this long before now (clock skew between the app and the cloud).</summary>
    public static readonly TimeSpan PastTolerance = TimeSpan.FromMinutes(2);

    /// <summary>Null when <c>[start, end)</c> is bookable at <paramref name="now"/>, else a sentence for a 422 problem.</summary>
    public static string? Problem(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now, TimeSpan maxAdvance)
    {
        if (start < now - PastTolerance)
        {
            return $"The window starts at {start:O}, in the past (now is {now:O}).";
        }

        if (end > now + maxAdvance)
        {
            return $"The window ends at {end:O}, more than {maxAdvance.TotalDays:0} days ahead.";
        }

        return null;
    }

    /// <summary>Whole seconds, as passes carry them, so a booking and its pass name the same instants.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}
