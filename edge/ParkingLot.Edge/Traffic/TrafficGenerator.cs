using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Simulation;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Traffic;

/// <summary>
/// Plays a <see cref="TrafficScenario"/> against the lanes and simulated sensors: Poisson arrivals
/// per vehicle type shaped by the hourly profile, then drive in → park (sensor occupied) → dwell →
/// unpark → drive out → exit lane. Scenario time runs <see cref="TrafficOptions.Speed"/> times faster
/// than the injected clock. The random draws (arrival gaps, types, dwells) come from one seeded
/// generator in arrival order, so a seed always plays the same traffic.
/// <para>
/// On start it recovers from the ledger (power-on recovery): open tickets pair with occupied spots
/// of their type and continue their stay; the rest drive to a spot or, for spots without a ticket,
/// free up later.
/// </para>
/// </summary>
internal sealed class TrafficGenerator(
    LotFile lot,
    TrafficScenario scenario,
    IOptions<TrafficOptions> options,
    IEnumerable<IEntryLane> entryLanes,
    IEnumerable<IExitLane> exitLanes,
    SimulatedSpaceSensors sensors,
    LedgerStore ledger,
    TimeProvider time,
    ILogger<TrafficGenerator> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, bool> _vehicles = new();
    private readonly IEntryLane[] _entries = [.. entryLanes];
    private readonly IExitLane[] _exits = [.. exitLanes];
    private readonly double _speed = options.Value.Speed;
    private readonly Random _random = new(options.Value.Seed ?? scenario.Seed);
    private readonly TimeZoneInfo _timeZone = TimeZoneInfo.FindSystemTimeZoneById(lot.TimeZone);
    private SpotPool _pool = new([], 0);
    private int _nextLane;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.TrafficStarted(logger, scenario.Name, _speed, options.Value.Seed ?? scenario.Seed);
        var traffic = scenario.VehicleTypes
            .Select(pair => (Type: Enum.Parse<VehicleType>(pair.Key, ignoreCase: true), Traffic: pair.Value))
            .Where(t => lot.SpotsOf(t.Type).Any())
            .ToArray();

        try
        {
            await RecoverAsync(stoppingToken);
            var status = ReportStatusAsync(stoppingToken);
            var startUtc = time.GetUtcNow();
            var startTimestamp = time.GetTimestamp();
            while (!stoppingToken.IsCancellationRequested)
            {
                var scenarioNow = startUtc + time.GetElapsedTime(startTimestamp) * _speed;
                var hour = TimeZoneInfo.ConvertTime(scenarioNow, _timeZone).Hour;
                var rates = traffic.Select(t => t.Traffic.ArrivalsPerHour * scenario.HourlyProfile[hour]).ToArray();
                var total = rates.Sum();
                if (total <= 0)
                {
                    await DelayScenarioAsync(TimeSpan.FromMinutes(60 - scenarioNow.Minute), stoppingToken);
                    continue;
                }

                var gap = TimeSpan.FromHours(-Math.Log(1 - _random.NextDouble()) / total);
                var (type, vehicle) = traffic[Pick(rates, total)];
                var dwell = DrawDwell(vehicle.Dwell);
                var lane = _nextLane++;
                await DelayScenarioAsync(gap, stoppingToken);
                Track(ArriveAsync(type, dwell, _entries[lane % _entries.Length], _exits[lane % _exits.Length], stoppingToken));
            }

            await status;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: vehicles in flight stop where they are; the ledger has every completed step.
        }
        finally
        {
            await Task.WhenAll(_vehicles.Keys).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var spots = lot.Spots.Where(s => s.SensorId is not null).ToList();
        var occupiedIds = (await ledger.GetSpotsAsync(cancellationToken)).Where(s => s.Occupied).Select(s => s.SpotId).ToHashSet(StringComparer.Ordinal);
        _pool = new SpotPool(spots.Where(s => !occupiedIds.Contains(s.Id)), (options.Value.Seed ?? scenario.Seed) + 1);
        var occupied = spots.Where(s => occupiedIds.Contains(s.Id)).GroupBy(s => s.VehicleType).ToDictionary(g => g.Key, g => new Queue<SpotDescription>(g));
        int parked = 0, driving = 0, unmatched = 0;
        foreach (var session in await ledger.GetOpenSessionsAsync(cancellationToken))
        {
            var exit = _exits[_nextLane++ % _exits.Length];
            var dwell = DrawDwell(session.VehicleType) / 2;
            if (occupied.TryGetValue(session.VehicleType, out var queue) && queue.TryDequeue(out var spot))
            {
                parked++;
                Track(StayAndLeaveAsync(session.TicketId, spot, dwell, exit, cancellationToken));
            }
            else
            {
                driving++;
                Track(ParkAndLeaveAsync(session.TicketId, session.VehicleType, dwell, exit, cancellationToken));
            }
        }

        foreach (var spot in occupied.Values.SelectMany(q => q))
        {
            unmatched++;
            Track(FreeLaterAsync(spot, DrawDwell(spot.VehicleType) / 2, cancellationToken));
        }

        Log.TrafficRecovered(logger, parked, driving, unmatched);
    }

    private async Task ArriveAsync(VehicleType type, TimeSpan dwell, IEntryLane entry, IExitLane exit, CancellationToken cancellationToken)
    {
        var outcome = await entry.AdmitAsync(type, cancellationToken);
        if (outcome.Admitted)
        {
            await ParkAndLeaveAsync(outcome.TicketId!, type, dwell, exit, cancellationToken);
        }
    }

    private async Task ParkAndLeaveAsync(string ticketId, VehicleType type, TimeSpan dwell, IExitLane exit, CancellationToken cancellationToken)
    {
        await DelayScenarioAsync(TimeSpan.FromSeconds(scenario.DriveInSeconds), cancellationToken);
        if (_pool.TryClaim(type, out var spot))
        {
            await StayAndLeaveAsync(ticketId, spot, dwell, exit, cancellationToken, parkFirst: true);
            return;
        }

        // Walk-in admission counts tickets, not sensors, so a spot taken by a vehicle whose ticket is
        // not in this ledger (a reservation, a recovery mismatch) can leave a driver with nowhere to go.
        Log.NoFreeSpot(logger, type);
        await DelayScenarioAsync(TimeSpan.FromSeconds(scenario.DriveOutSeconds), cancellationToken);
        await exit.ReleaseAsync(ticketId, cancellationToken);
    }

    private async Task StayAndLeaveAsync(string ticketId, SpotDescription spot, TimeSpan dwell, IExitLane exit, CancellationToken cancellationToken, bool parkFirst = false)
    {
        if (parkFirst)
        {
            sensors.Report(spot.SensorId!, occupied: true);
        }

        await DelayScenarioAsync(dwell, cancellationToken);
        sensors.Report(spot.SensorId!, occupied: false);
        _pool.Release(spot);
        await DelayScenarioAsync(TimeSpan.FromSeconds(scenario.DriveOutSeconds), cancellationToken);
        await exit.ReleaseAsync(ticketId, cancellationToken);
    }

    private async Task FreeLaterAsync(SpotDescription spot, TimeSpan dwell, CancellationToken cancellationToken)
    {
        await DelayScenarioAsync(dwell, cancellationToken);
        sensors.Report(spot.SensorId!, occupied: false);
        _pool.Release(spot);
    }

    private async Task ReportStatusAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.StatusInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, time, cancellationToken);
            var occupied = (await ledger.GetOccupancyAsync(cancellationToken)).Values.Sum();
            var inside = (await ledger.GetOpenSessionsAsync(cancellationToken)).Count;
            Log.TrafficStatus(logger, occupied, lot.Spots.Count, inside, ledger.LastSeq);
        }
    }

    private void Track(Task vehicle)
    {
        _vehicles.TryAdd(vehicle, true);
        vehicle.ContinueWith(
            t =>
            {
                _vehicles.TryRemove(t, out _);
                if (t.Exception is { } ex && ex.InnerException is not OperationCanceledException)
                {
                    Log.VehicleFailed(logger, ex.InnerException ?? ex);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private Task DelayScenarioAsync(TimeSpan scenarioTime, CancellationToken cancellationToken)
    {
        var real = scenarioTime / _speed;
        return real <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(real, time, cancellationToken);
    }

    private TimeSpan DrawDwell(VehicleType type) =>
        scenario.VehicleTypes.FirstOrDefault(p => string.Equals(p.Key, LotFileLoader.VehicleTypeName(type), StringComparison.Ordinal)).Value is { } traffic
            ? DrawDwell(traffic.Dwell)
            : TimeSpan.FromHours(1);

    private TimeSpan DrawDwell(DwellDistribution dwell)
    {
        // Box-Muller: a standard normal from two uniforms, for the log-normal stay length.
        var normal = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
        var minutes = Math.Clamp(dwell.MedianMinutes * Math.Exp(dwell.Spread * normal), dwell.MinMinutes, dwell.MaxMinutes);
        return TimeSpan.FromMinutes(minutes);
    }

    private int Pick(double[] rates, double total)
    {
        var target = _random.NextDouble() * total;
        for (var i = 0; i < rates.Length; i++)
        {
            target -= rates[i];
            if (target < 0)
            {
                return i;
            }
        }

        return rates.Length - 1;
    }

    /// <summary>
    /// Free spots by vehicle type; vehicles claim a random one, as drivers do. It has its own random
    /// generator because vehicles claim concurrently with the arrival loop's draws.
    /// </summary>
    private sealed class SpotPool
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<VehicleType, List<SpotDescription>> _free = [];
        private readonly Random _random;

        public SpotPool(IEnumerable<SpotDescription> free, int seed)
        {
            _random = new Random(seed);
            foreach (var spot in free)
            {
                Release(spot);
            }
        }

        public bool TryClaim(VehicleType type, out SpotDescription spot)
        {
            lock (_lock)
            {
                if (_free.TryGetValue(type, out var list) && list.Count > 0)
                {
                    var index = _random.Next(list.Count);
                    spot = list[index];
                    list[index] = list[^1];
                    list.RemoveAt(list.Count - 1);
                    return true;
                }
            }

            spot = null!;
            return false;
        }

        public void Release(SpotDescription spot)
        {
            lock (_lock)
            {
                if (!_free.TryGetValue(spot.VehicleType, out var list))
                {
                    _free[spot.VehicleType] = list = [];
                }

                list.Add(spot);
            }
        }
    }
}
