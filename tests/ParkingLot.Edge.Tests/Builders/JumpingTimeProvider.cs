using Microsoft.Extensions.Time.Testing;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows when its next timer is due, so a harness can jump the
/// clock straight to it once the code under test has nothing left to do, instead of stepping it at
/// real-time pace. Every timer (and so every <c>Task.Delay</c> and <c>WaitAsync</c> on this
/// provider) is tracked from creation to disposal.
/// </summary>
internal sealed class JumpingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _lock = new();
    private readonly HashSet<TrackedTimer> _timers = [];

    /// <summary>When the earliest pending timer fires, or null when none is pending.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_lock)
            {
                DateTimeOffset? next = null;
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } due && (next is null || due < next))
                    {
                        next = due;
                    }
                }

                return next;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Schedule(dueTime, period);
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return timer;
    }

    private void Remove(TrackedTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class TrackedTimer(JumpingTimeProvider owner) : ITimer
    {
        private readonly Lock _lock = new();
        private DateTimeOffset? _dueAt;
        private TimeSpan _period;

        public ITimer? Inner { get; set; }

        public DateTimeOffset? DueAt
        {
            get
            {
                lock (_lock)
                {
                    return _dueAt;
                }
            }
        }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (_lock)
            {
                _period = period;
                _dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            }
        }

        public void Fired()
        {
            lock (_lock)
            {
                _dueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : owner.GetUtcNow() + _period;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner.Remove(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
