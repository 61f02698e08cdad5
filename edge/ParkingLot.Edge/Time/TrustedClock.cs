using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Time;

/// <summary>
/// What the agent knows about the current time (DESIGN §5 "Time on a Pi"): the true time lies in
/// [<see cref="Lo"/>, <see cref="Hi"/>]; a null <see cref="Hi"/> means no upper bound is known (no
/// source since boot: the clock may be anything from the last trusted time onwards).
/// <paramref name="ExpiryFloor"/> bounds the leniency of an unsynced clock (see <see cref="LenientLo"/>).
/// </summary>
internal readonly record struct TrustedInterval(DateTimeOffset Lo, DateTimeOffset? Hi, TimeQuality Quality, DateTimeOffset? ExpiryFloor = null)
{
    /// <summary>
    /// The lower bound lenient checks use: <see cref="Lo"/>, or, when no source bounds the time from
    /// above, the Pi's own clock less <see cref="TrustedTimeOptions.UnsyncedMargin"/> if that is later.
    /// Without it a Pi that was off for a week, with no source, would admit passes that expired days
    /// ago; with it a pass that expired more than the margin ago is refused. It only ever narrows
    /// leniency: fees and pruning use <see cref="Lo"/> and <see cref="Hi"/>.
    /// </summary>
    public DateTimeOffset LenientLo => ExpiryFloor is { } floor && floor > Lo ? floor : Lo;

    /// <summary>True when the window [<paramref name="from"/>, <paramref name="to"/>) may contain the current time (lenient: pass holders).</summary>
    public bool MayIntersect(DateTimeOffset from, DateTimeOffset? to) => (Hi is not { } hi || from <= hi) && (to is not { } end || end > LenientLo);

    /// <summary>True when the window [<paramref name="from"/>, <paramref name="to"/>) surely contains the current time (strict: pruning, holding capacity).</summary>
    public bool SurelyWithin(DateTimeOffset from, DateTimeOffset? to) => Hi is { } hi && from <= Lo && (to is not { } end || end > hi);

    /// <summary><paramref name="clock"/> moved into the interval: the best single guess at the time.</summary>
    public DateTimeOffset Clamp(DateTimeOffset clock) => clock < Lo ? Lo : Hi is { } hi && clock > hi ? hi : clock;

    /// <summary>Width of the interval, or null when unbounded.</summary>
    public TimeSpan? Width => Hi is { } hi ? hi - Lo : null;
}

/// <summary>Tuning of <see cref="TrustedClock"/> (configuration section <c>Time</c>).</summary>
internal sealed class TrustedTimeOptions
{
    public const string Section = "Time";

    /// <summary>
    /// Worst-case drift of the Pi's oscillator against true time while running on a cloud anchor.
    /// Default 100 ppm (8.6 s a day): crystal oscillators are specified at ±20–50 ppm at 25 °C and
    /// drift further in a cold or hot gate cabinet.
    /// </summary>
    public double DriftPpm { get; set; } = 100;

    /// <summary>
    /// Uncertainty of a battery-backed RTC reading since the clock was last synchronised. Default
    /// 5 minutes: a DS3231 keeps ±2 ppm (about a minute a year), cheaper RTCs ±20 ppm (10 min a year).
    /// </summary>
    public TimeSpan RtcMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Error assumed for an NTP-synchronised clock when the kernel reports none. Default 1 s.</summary>
    public TimeSpan NtpMargin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the sources are re-read and the lower bound persisted. Default 1 minute.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// With no source at all (unsynced), how far the Pi's own clock is trusted for refusing expired
    /// passes: a pass that ended more than this before the Pi's clock is refused. Default 1 hour. It
    /// never raises the lower bound used for fees, nor the persisted one.
    /// </summary>
    public TimeSpan UnsyncedMargin { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// The trusted-time interval, from the best source available now:
/// <list type="number">
/// <item><b>NTP</b> (<see cref="TimeQuality.Synced"/>): the kernel says the clock is synchronised
/// (systemd-timesyncd, chrony or ntpd discipline it), error = its maximum error.</item>
/// <item><b>Cloud anchor</b> (<see cref="TimeQuality.Anchored"/>): the server time from
/// <c>cloud/config</c> plus the monotonic time elapsed since it arrived, widened by the drift margin
/// and the anchor's own uncertainty (half the round trip).</item>
/// <item><b>RTC</b> (<see cref="TimeQuality.Rtc"/>): the system time came from a battery-backed RTC at boot.</item>
/// <item><b>Nothing</b> (<see cref="TimeQuality.Unsynced"/>): lo = the last persisted trusted time plus
/// the monotonic time since this agent started, hi unknown.</item>
/// </list>
/// Whatever the source, lo never goes backwards, and lo is always a true lower bound, so it is
/// persisted (ledger meta <c>trusted_time_lo</c>) and survives a reboot without any source; the
/// persisted bound plus the uptime is honoured whatever the source says. Each reading of the system
/// clock (NTP, RTC) is checked against the monotonic extrapolation of the last good interval (widened
/// by the drift margin): a reading outside it (a clock stepped by hand, a stale sync flag) is refused
/// and logged, and the extrapolation stands instead. Time comes from the injected
/// <see cref="TimeProvider"/>: the monotonic part from its timestamps. Thread-safe.
/// </summary>
internal sealed class TrustedClock
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly TrustedTimeOptions _options;
    private readonly IClockSyncProbe _probe;
    private readonly long _startedTimestamp;
    private ClockSync _sync;
    private DateTimeOffset? _persistedLo;
    private (DateTimeOffset ServerTime, long Timestamp, TimeSpan Uncertainty)? _anchor;
    private DateTimeOffset _floor = DateTimeOffset.MinValue;
    private (TrustedInterval Interval, long Timestamp)? _lastGood;
    private int _refused;
    private bool _refusing;

    public TrustedClock(TimeProvider time, TrustedTimeOptions options, IClockSyncProbe probe)
    {
        _time = time;
        _options = options;
        _probe = probe;
        _startedTimestamp = time.GetTimestamp();
        _sync = probe.Probe();
    }

    /// <summary>Raised when <see cref="TrustedInterval.Quality"/> changes (after a refresh or an anchor).</summary>
    public event Action<TimeQuality>? QualityChanged;

    /// <summary>Raised when a clock reading is refused as inconsistent with the monotonic extrapolation (reading, extrapolation).</summary>
    public event Action<TrustedInterval, TrustedInterval>? ReadingRefused;

    /// <summary>Disagreements so far: each run of refused readings counts once (see <see cref="ReadingRefused"/>).</summary>
    public int RefusedReadings => Volatile.Read(ref _refused);

    /// <summary>The interval now.</summary>
    public TrustedInterval Current
    {
        get
        {
            TrustedInterval interval;
            (TrustedInterval Reading, TrustedInterval Extrapolated)? refused = null;
            lock (_gate)
            {
                var reading = Compute();
                interval = reading;
                if (Extrapolate() is { } extrapolated && reading.Quality is TimeQuality.Synced or TimeQuality.Rtc && !Agrees(reading, extrapolated))
                {
                    // Reported once per disagreement, not on every read while it lasts.
                    refused = _refusing ? null : (reading, extrapolated);
                    _refusing = true;
                    interval = extrapolated;
                }
                else
                {
                    _refusing = false;
                    _lastGood = (reading, _time.GetTimestamp());
                }

                var floor = _persistedLo is { } persisted ? persisted + _time.GetElapsedTime(_startedTimestamp) : DateTimeOffset.MinValue;
                floor = floor > _floor ? floor : _floor;
                if (interval.Lo < floor)
                {
                    interval = interval with { Lo = floor, Hi = interval.Hi is { } hi && hi < floor ? floor : interval.Hi };
                }

                _floor = interval.Lo;
                if (interval.Quality == TimeQuality.Unsynced)
                {
                    interval = interval with { ExpiryFloor = _time.GetUtcNow() - _options.UnsyncedMargin };
                }
            }

            if (refused is { } r)
            {
                Interlocked.Increment(ref _refused);
                ReadingRefused?.Invoke(r.Reading, r.Extrapolated);
            }

            return interval;
        }
    }

    /// <summary>The lower bound worth persisting: from the sources and the persisted bound only, never the unsynced leniency floor.</summary>
    public DateTimeOffset PersistableLo => Current.Lo;

    /// <summary>The quality of <see cref="Current"/>.</summary>
    public TimeQuality Quality => Current.Quality;

    /// <summary>
    /// Sets the lower bound known from before this start (the persisted trusted time). Called once at
    /// start with the ledger meta value; a later, larger value only raises it.
    /// </summary>
    public void SetPersistedLowerBound(DateTimeOffset lo)
    {
        lock (_gate)
        {
            if (_persistedLo is not { } known || lo > known)
            {
                _persistedLo = lo;
            }
        }
    }

    /// <summary>
    /// A cloud time anchor: <paramref name="serverTime"/> was the server's clock when it sent the
    /// message, <paramref name="uncertainty"/> bounds the transit (half the round trip, or the
    /// message age). The sync code calls this when <c>cloud/config</c> arrives.
    /// </summary>
    public void AnchorFromCloud(DateTimeOffset serverTime, TimeSpan uncertainty)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(uncertainty, TimeSpan.Zero);
        TimeQuality before, after;
        lock (_gate)
        {
            before = Compute().Quality;
            _anchor = (serverTime, _time.GetTimestamp(), uncertainty);
            after = Compute().Quality;
        }

        if (before != after)
        {
            QualityChanged?.Invoke(after);
        }
    }

    /// <summary>Reads the clock-sync sources again (NTP state, RTC); returns the quality now.</summary>
    public TimeQuality Refresh()
    {
        var sync = _probe.Probe();
        TimeQuality before, after;
        lock (_gate)
        {
            before = Compute().Quality;
            _sync = sync;
            after = Compute().Quality;
        }

        if (before != after)
        {
            QualityChanged?.Invoke(after);
        }

        return after;
    }

    /// <summary>The last good interval carried forward on the monotonic clock, widened by the drift margin; null before the first reading.</summary>
    private TrustedInterval? Extrapolate()
    {
        if (_lastGood is not { } last)
        {
            return null;
        }

        var elapsed = _time.GetElapsedTime(last.Timestamp);
        var drift = TimeSpan.FromTicks((long)(elapsed.Ticks * _options.DriftPpm / 1_000_000));
        return new TrustedInterval(last.Interval.Lo + elapsed - drift, last.Interval.Hi is { } hi ? hi + elapsed + drift : null, last.Interval.Quality);
    }

    /// <summary>True when <paramref name="reading"/> overlaps <paramref name="extrapolated"/> (an unbounded side always does).</summary>
    private static bool Agrees(TrustedInterval reading, TrustedInterval extrapolated) =>
        (reading.Hi is not { } hi || hi >= extrapolated.Lo) && (extrapolated.Hi is not { } limit || reading.Lo <= limit);

    private TrustedInterval Compute()
    {
        var now = _time.GetUtcNow();
        if (_sync.NtpSynchronised)
        {
            var margin = _sync.MaxError is { } error && error > TimeSpan.Zero ? error : _options.NtpMargin;
            return new TrustedInterval(now - margin, now + margin, TimeQuality.Synced);
        }

        if (_anchor is { } anchor)
        {
            var elapsed = _time.GetElapsedTime(anchor.Timestamp);
            var drift = TimeSpan.FromTicks((long)(elapsed.Ticks * _options.DriftPpm / 1_000_000)) + anchor.Uncertainty;
            var estimate = anchor.ServerTime + elapsed;
            return new TrustedInterval(estimate - drift, estimate + drift, TimeQuality.Anchored);
        }

        if (_sync.SystemTimeFromRtc)
        {
            return new TrustedInterval(now - _options.RtcMargin, now + _options.RtcMargin, TimeQuality.Rtc);
        }

        var lo = _persistedLo is { } persisted ? persisted + _time.GetElapsedTime(_startedTimestamp) : DateTimeOffset.UnixEpoch;
        return new TrustedInterval(lo, null, TimeQuality.Unsynced);
    }
}
