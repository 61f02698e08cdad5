namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// The decision of a hold: the specification. The embedded store calls it inside its write
/// transaction with what it read there. PostgreSQL's <c>hold_booking</c> (Storage/Postgres/Migrations/0003)
/// is a second copy in PL/pgSQL, kept for one round trip per hold, and must agree with this one: the
/// store contract tests (tests/ParkingLot.Cloud.Tests/Stores) hold the same cases on both stores and
/// expect this planner's answers.
/// </summary>
internal static class BookingPlanner
{
    /// <summary>How many spots a hold tries when the exclusion constraint reports a race (PostgreSQL).</summary>
    public const int MaxSpotAttempts = 3;

    /// <summary>
    /// The spots to try, best first, or the reason there is none.
    /// </summary>
    /// <param name="share">The cloud's reservable share of the vehicle type (I2).</param>
    /// <param name="active">Held (not stale) and confirmed bookings of the lot and vehicle type overlapping the window.</param>
    /// <param name="spots">Spots of the vehicle type, nearest the entrance first.</param>
    /// <param name="requestedSpot">A spot the driver chose, already checked to be of the vehicle type.</param>
    public static (HoldStatus Status, IReadOnlyList<string> Candidates) Plan(
        int share, IReadOnlyList<ActiveWindow> active, IReadOnlyList<string> spots, string? requestedSpot, DateTimeOffset start, DateTimeOffset end)
    {
        if (MaxConcurrent(active, start, end) + 1 > share)
        {
            return (HoldStatus.NoCapacity, []);
        }

        var taken = active.Where(w => w.Start < end && start < w.End).Select(w => w.SpotId).ToHashSet(StringComparer.Ordinal);
        if (requestedSpot is not null)
        {
            return taken.Contains(requestedSpot) ? (HoldStatus.SpotTaken, []) : (HoldStatus.Held, [requestedSpot]);
        }

        var free = spots.Where(s => !taken.Contains(s)).Take(MaxSpotAttempts).ToList();
        return free.Count == 0 ? (HoldStatus.NoSpotFree, []) : (HoldStatus.Held, free);
    }

    /// <summary>
    /// The largest number of the windows in force at one instant of <c>[start, end)</c>. Windows are
    /// half-open, so one ending when another starts never counts twice.
    /// </summary>
    public static int MaxConcurrent(IEnumerable<ActiveWindow> windows, DateTimeOffset start, DateTimeOffset end)
    {
        var points = new List<(DateTimeOffset At, int Delta)>();
        foreach (var w in windows)
        {
            var from = w.Start > start ? w.Start : start;
            var to = w.End < end ? w.End : end;
            if (from < to)
            {
                points.Add((from, +1));
                points.Add((to, -1));
            }
        }

        // Ends before starts at the same instant.
        points.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        int current = 0, max = 0;
        foreach (var (_, delta) in points)
        {
            current += delta;
            max = Math.Max(max, current);
        }

        return max;
    }
}
