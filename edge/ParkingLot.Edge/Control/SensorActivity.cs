using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Control;

/// <summary>
/// Remembers when each sensor last changed and how often it changed recently, so that
/// `parkctl sensors` can show a flapping loop or spot sensor. Spot sensors are followed through the
/// ledger (every <see cref="OccupancyChanged"/>), gate inputs through their debounced change events.
/// In memory only: after a restart the rate starts again from zero, the last change of a spot comes
/// from the ledger's spot table. Rates are per hour of the world the sensors watch: on a simulated lot
/// whose traffic plays at <see cref="SensorTimeScale"/> scenario seconds per second, a real minute is
/// that many scenario minutes, so the demo's compressed day does not read as flapping.
/// </summary>
internal sealed class SensorActivity : IHostedService
{
    /// <summary>How far back the change rate looks.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly LedgerStore _ledger;
    private readonly IReadOnlyList<IDigitalInput> _inputs;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _changes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastChange = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started;
    private readonly SensorTimeScale? _scale;

    public SensorActivity(LedgerStore ledger, IEnumerable<ControlledGate> gates, TimeProvider time, SensorTimeScale? scale = null)
    {
        _ledger = ledger;
        _time = time;
        _scale = scale;
        _started = time.GetUtcNow();
        _inputs = [.. gates.SelectMany(g => new[] { g.Loop, g.Passage }).OfType<IDigitalInput>()];
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ledger.Appended += OnAppended;
        foreach (var input in _inputs)
        {
            input.Changed += OnInputChanged;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _ledger.Appended -= OnAppended;
        foreach (var input in _inputs)
        {
            input.Changed -= OnInputChanged;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The last change, and changes per hour over <see cref="Window"/> (over the time since start, at
    /// least a minute, when the agent is younger) with the count they are based on.
    /// </summary>
    public (DateTimeOffset? LastChange, double PerHour, int Count) Of(string sensorId)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            DateTimeOffset? last = _lastChange.TryGetValue(sensorId, out var at) ? at : null;
            if (!_changes.TryGetValue(sensorId, out var queue))
            {
                return (last, 0, 0);
            }

            Prune(queue, now);

            // A young agent has watched for less than the window: rate over what it saw, but at least
            // a minute, so two changes in the first seconds are not reported as a storm.
            var watched = TimeSpan.FromTicks(Math.Clamp((now - _started).Ticks, TimeSpan.FromMinutes(1).Ticks, Window.Ticks));
            return (last, queue.Count * (TimeSpan.FromHours(1) / watched) / (_scale?.DivisorFor(sensorId) ?? 1), queue.Count);
        }
    }

    /// <summary>Records a change now (also used by tests and by sources that have no event).</summary>
    public void Record(string sensorId, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (!_changes.TryGetValue(sensorId, out var queue))
            {
                queue = new Queue<DateTimeOffset>();
                _changes[sensorId] = queue;
            }

            queue.Enqueue(at);
            Prune(queue, at);
            _lastChange[sensorId] = at;
        }
    }

    private static void Prune(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && now - queue.Peek() > Window)
        {
            queue.Dequeue();
        }
    }

    private void OnAppended(LedgerEvent e)
    {
        if (e.Type == EventTypes.OccupancyChanged && e.Payload.TryGetProperty("sensorId", out var sensor) && sensor.GetString() is { } sensorId)
        {
            Record(sensorId, e.OccurredAt);
        }
    }

    private void OnInputChanged(object? sender, InputChangedEventArgs e)
    {
        if (sender is IDigitalInput input)
        {
            Record(input.Id, e.At);
        }
    }
}

/// <summary>
/// How fast the watched world runs against the clock: 1 on hardware, the traffic generator's
/// <c>--speed</c> on a simulated lot (registered by the simulation). A sensor whose changes come from
/// a fault injected in real time (<see cref="SimulatedFaults"/>: a chattering relay does not speed up
/// with the scenario) is judged in real time: <see cref="MarkRealTime"/>.
/// </summary>
internal sealed class SensorTimeScale(double scenarioSecondsPerSecond)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _realTime = new(StringComparer.Ordinal);

    public double ScenarioSecondsPerSecond { get; } = scenarioSecondsPerSecond;

    /// <summary>Rates of <paramref name="sensorId"/> are per real hour from now on.</summary>
    public void MarkRealTime(string sensorId) => _realTime[sensorId] = true;

    /// <summary>What a rate measured on the clock is divided by to get it per hour of the watched world.</summary>
    public double DivisorFor(string sensorId) => _realTime.ContainsKey(sensorId) || ScenarioSecondsPerSecond <= 0 ? 1 : ScenarioSecondsPerSecond;
}
