using System.Runtime.CompilerServices;

namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>A space's filtered state changed (or was established for the first time).</summary>
internal readonly record struct SpaceOccupancyChange(string SensorId, bool Occupied, DateTimeOffset At);

internal sealed record SpaceSensorPollerOptions
{
    /// <summary>Time between polls. Default 1 s: a car takes several seconds to park, so faster buys nothing.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Readings in a row needed to change a space's state. Default 3: a person walking past an
    /// ultrasonic sensor or a car's shadow on a reflective one lasts one or two polls.
    /// </summary>
    public int RequiredConsecutive { get; init; } = 3;
}

/// <summary>
/// Polls space sensors on the injected clock and reports filtered state changes only, so the
/// occupancy ledger records parked cars rather than sensor noise. Failed readings neither confirm
/// nor contradict a state.
/// </summary>
internal sealed class SpaceSensorPoller
{
    private readonly (ISpaceSensor Sensor, OccupancyFilter Filter)[] _sensors;
    private readonly SpaceSensorPollerOptions _options;
    private readonly TimeProvider _time;

    public SpaceSensorPoller(IEnumerable<ISpaceSensor> sensors, SpaceSensorPollerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _sensors = [.. sensors.Select(s => (s, new OccupancyFilter(options.RequiredConsecutive)))];
    }

    /// <summary>The filtered state of a sensor; null while not yet established.</summary>
    public bool? StateOf(string sensorId) => _sensors.FirstOrDefault(s => s.Sensor.SensorId == sensorId).Filter?.State;

    /// <summary>Reads every sensor once; returns the spaces whose filtered state changed.</summary>
    public IReadOnlyList<SpaceOccupancyChange> PollOnce()
    {
        List<SpaceOccupancyChange> changes = [];
        foreach (var (sensor, filter) in _sensors)
        {
            if (sensor.TryReadOccupied(out var occupied) && filter.Update(occupied))
            {
                changes.Add(new SpaceOccupancyChange(sensor.SensorId, occupied, _time.GetUtcNow()));
            }
        }

        return changes;
    }

    /// <summary>Polls every <see cref="SpaceSensorPollerOptions.Interval"/> until cancelled.</summary>
    public async IAsyncEnumerable<SpaceOccupancyChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        while (await WaitAsync(timer, cancellationToken))
        {
            foreach (var change in PollOnce())
            {
                yield return change;
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
