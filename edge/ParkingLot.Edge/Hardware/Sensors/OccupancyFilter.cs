namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>
/// Distance thresholds with a dead band: below <see cref="OccupiedBelowMm"/> a car is there, above
/// <see cref="FreeAboveMm"/> the spot is empty, and a reading in between is no evidence either way.
/// The gap is what stops a sensor that hovers around one threshold from flapping.
/// </summary>
internal sealed record DistanceThresholds(int OccupiedBelowMm, int FreeAboveMm)
{
    public DistanceThresholds Validate()
    {
        if (OccupiedBelowMm <= 0 || FreeAboveMm <= OccupiedBelowMm)
        {
            throw new ArgumentException($"Need 0 < OccupiedBelowMm ({OccupiedBelowMm}) < FreeAboveMm ({FreeAboveMm}).");
        }

        return this;
    }
}

/// <summary>
/// Hysteresis for a space's occupied/free state: the state changes only after
/// <see cref="RequiredConsecutive"/> readings in a row disagree with it, and distance readings count
/// only outside the <see cref="DistanceThresholds"/> dead band. Until the first state is established
/// <see cref="State"/> is null, so a sensor that has never agreed with itself reports nothing.
/// Not thread-safe: one poller owns one filter.
/// </summary>
internal sealed class OccupancyFilter
{
    private readonly DistanceThresholds? _thresholds;
    private bool? _candidate;
    private int _streak;

    public OccupancyFilter(int requiredConsecutive, DistanceThresholds? thresholds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requiredConsecutive, 1);
        RequiredConsecutive = requiredConsecutive;
        _thresholds = thresholds?.Validate();
    }

    public int RequiredConsecutive { get; }

    /// <summary>The filtered state; null until <see cref="RequiredConsecutive"/> readings agreed.</summary>
    public bool? State { get; private set; }

    /// <summary>Feeds one occupied/free reading; true when <see cref="State"/> changed.</summary>
    public bool Update(bool occupied)
    {
        if (State == occupied)
        {
            // A reading that agrees with the state breaks any streak against it.
            _candidate = null;
            _streak = 0;
            return false;
        }

        if (_candidate == occupied)
        {
            _streak++;
        }
        else
        {
            _candidate = occupied;
            _streak = 1;
        }

        if (_streak < RequiredConsecutive)
        {
            return false;
        }

        State = occupied;
        _candidate = null;
        _streak = 0;
        return true;
    }

    /// <summary>
    /// Feeds one distance (mm; <see cref="double.PositiveInfinity"/> for "nothing in range"); a
    /// reading in the dead band counts as agreeing with the current state. True when the state changed.
    /// </summary>
    public bool UpdateDistance(double distanceMm)
    {
        var thresholds = _thresholds ?? throw new InvalidOperationException("This filter has no distance thresholds.");
        if (distanceMm < thresholds.OccupiedBelowMm)
        {
            return Update(true);
        }

        if (distanceMm > thresholds.FreeAboveMm)
        {
            return Update(false);
        }

        _candidate = null;
        _streak = 0;
        return false;
    }
}
