using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Edge.Simulation;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Traffic;

/// <summary>
/// Plays a <see cref="TrafficScenario"/> against the simulated lot: Poisson arrivals per vehicle type
/// shaped by the hourly profile; each vehicle is a <see cref="SimulatedDriver"/> that drives onto the
/// entry loop, takes a ticket (or scans a reservation pass, or holds a permit card), drives through,
/// parks (spot sensor occupied), stays, pays at the kiosk, and leaves through an exit lane (a few have
/// lost their ticket and pay the lost-ticket fee there). Everything goes through the simulated
/// devices and the real drivers, so the lanes run exactly as on a Pi. Scenario time runs
/// <see cref="TrafficOptions.Speed"/> times faster than the injected clock; the random draws come from
/// one seeded generator in arrival order, so a seed always plays the same arrivals.
/// <para>
/// On start it picks up the vehicles the ledger says are inside (power-on recovery of the
/// simulation): passes and permits inside, and as many open walk-in tickets as the gate count holds;
/// they pair with occupied spots of their type and leave in due course.
/// </para>
/// </summary>
internal sealed class TrafficGenerator(
    LotFile lot,
    TrafficScenario scenario,
    IOptions<TrafficOptions> options,
    IEnumerable<Lane> lanes,
    SimulatedLot simulatedLot,
    SimulatedCloudIssuer issuer,
    SimulatedSpaceSensors sensors,
    LedgerStore ledger,
    TimeProvider time,
    ILogger<TrafficGenerator> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, bool> _vehicles = new();
    private readonly Lane[] _entries = [.. lanes.Where(l => l is EntryLane)];
    private readonly Lane[] _exits = [.. lanes.Where(l => l is ExitLane)];
    private readonly double _speed = options.Value.Speed;
    private readonly Random _random = new(options.Value.Seed ?? scenario.Seed);
    private readonly TimeZoneInfo _timeZone = TimeZoneInfo.FindSystemTimeZoneById(lot.TimeZone);
    private readonly ConcurrentDictionary<string, bool> _permitsInUse = new(StringComparer.Ordinal);
    private SpotPool _pool = new([], 0);
    private SimulatedDriver _driver = null!;
    private int _nextLane;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.TrafficStarted(logger, scenario.Name, _speed, options.Value.Seed ?? scenario.Seed);
        _driver = new SimulatedDriver(time, DelayScenarioAsync, SettleTime);
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
                var plan = DrawPlan(type);
                var lane = _nextLane++;
                await DelayScenarioAsync(gap, stoppingToken);
                Track(ArriveAsync(type, dwell, plan, _entries[lane % _entries.Length], _exits[lane % _exits.Length], stoppingToken));
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

    private Plan DrawPlan(VehicleType type)
    {
        var draw = _random.NextDouble();
        var lost = _random.NextDouble() < scenario.LostTicketShare;
        var method = _random.NextDouble() < scenario.CashShare ? PaymentMethod.Cash : PaymentMethod.Card;
        if (draw < scenario.PassShare)
        {
            return new Plan(CredentialKind.Pass, false, method, null);
        }

        if (draw < scenario.PassShare + scenario.PermitShare)
        {
            // The first permit card of this type whose holder is not inside (claimed atomically).
            var card = issuer.PermitCards.FirstOrDefault(c => c.Permit.VehicleType == type && _permitsInUse.TryAdd(c.Permit.PermitId, true));
            if (card.Uid is not null)
            {
                return new Plan(CredentialKind.Permit, false, method, card.Uid);
            }
        }

        return new Plan(CredentialKind.Ticket, lost, method, null);
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var spots = lot.Spots.Where(s => s.SensorId is not null).ToList();
        var occupiedIds = (await ledger.GetSpotsAsync(cancellationToken)).Where(s => s.Occupied).Select(s => s.SpotId).ToHashSet(StringComparer.Ordinal);
        _pool = new SpotPool(spots.Where(s => !occupiedIds.Contains(s.Id)), (options.Value.Seed ?? scenario.Seed) + 1);
        var occupied = spots.Where(s => occupiedIds.Contains(s.Id)).GroupBy(s => s.VehicleType).ToDictionary(g => g.Key, g => new Queue<SpotDescription>(g));

        // Who is inside: passes and permits by the inside table; walk-ins by the gate count (a lost
        // ticket leaves its session open, so open sessions alone would overcount), newest first.
        var inside = await ledger.GetInsideAsync(cancellationToken);
        var insideTickets = inside.Select(i => i.TicketId).ToHashSet(StringComparer.Ordinal);
        var counts = await ledger.GetGateCountsAsync(cancellationToken);
        var vehicles = new List<(SessionState Session, Recovered Credential)>();
        foreach (var (kind, credentialId, ticketId) in inside)
        {
            if (await ledger.GetSessionAsync(ticketId, cancellationToken) is { } session)
            {
                vehicles.Add((session, new Recovered(kind, credentialId, null)));
            }
        }

        foreach (var group in (await ledger.GetOpenSessionsAsync(cancellationToken)).Where(s => s.Status == SessionStatus.Open && !insideTickets.Contains(s.TicketId) && s.Code is not null).GroupBy(s => s.VehicleType))
        {
            var walkIns = counts.Where(c => c.VehicleType == group.Key && c.Basis is LaneDecisions.WalkIn or "tailgate").Sum(c => c.Inside);
            vehicles.AddRange(group.OrderByDescending(s => s.EnteredAt).Take(walkIns).Select(s => (s, new Recovered(CredentialKind.Ticket, s.TicketId, s.Code))));
        }

        int parked = 0, driving = 0, unmatched = 0;
        foreach (var (session, credential) in vehicles)
        {
            var exit = _exits[_nextLane++ % _exits.Length];
            var dwell = DrawDwell(session.VehicleType) / 2;
            var card = credential.Kind == CredentialKind.Permit ? issuer.PermitCards.FirstOrDefault(c => c.Permit.PermitId == credential.Id).Uid : null;
            if (card is not null)
            {
                _permitsInUse.TryAdd(credential.Id, true);
            }

            var plan = new Plan(credential.Kind, false, PaymentMethod.Card, card);
            var stay = new Stay(session.TicketId, session.VehicleType, plan, credential.Kind == CredentialKind.Pass ? PassFor(credential.Id, session.VehicleType, dwell) : credential.Code);
            if (occupied.TryGetValue(session.VehicleType, out var queue) && queue.TryDequeue(out var spot))
            {
                parked++;
                Track(StayAndLeaveAsync(stay, spot, dwell, exit, cancellationToken));
            }
            else
            {
                driving++;
                Track(ParkAndLeaveAsync(stay, dwell, exit, cancellationToken));
            }
        }

        foreach (var spot in occupied.Values.SelectMany(q => q))
        {
            unmatched++;
            Track(FreeLaterAsync(spot, DrawDwell(spot.VehicleType) / 2, cancellationToken));
        }

        Log.TrafficRecovered(logger, parked, driving, unmatched);
    }

    private async Task ArriveAsync(VehicleType type, TimeSpan dwell, Plan plan, Lane entry, Lane exit, CancellationToken cancellationToken)
    {
        var rig = simulatedLot.Rig(entry.GateId);
        if (Interlocked.Increment(ref rig.Waiting) > scenario.QueueLimit)
        {
            // A long queue at the barrier: this driver goes elsewhere.
            Interlocked.Decrement(ref rig.Waiting);
            Release(plan);
            return;
        }

        string? passCode = null;
        LaneVisit visit;
        try
        {
            Action<Lane> present = plan.Kind switch
            {
                CredentialKind.Pass => lane => lane.PresentCode(passCode = PassFor("BK" + Guid.NewGuid().ToString("N")[..10], type, dwell)),
                CredentialKind.Permit => lane => rig.PermitReader.Present(Convert.FromHexString(plan.PermitUid!)),
                _ => lane => lane.RequestTicket(type),
            };
            visit = await _driver.VisitAsync(rig, entry, present, null, cancellationToken);
        }
        finally
        {
            rig.PermitReader.Remove();
            Interlocked.Decrement(ref rig.Waiting);
        }

        if (!visit.Passed || visit.Snapshot.TicketId is not { } ticketId)
        {
            Release(plan);
            return;
        }

        var code = plan.Kind switch
        {
            CredentialKind.Pass => passCode,
            CredentialKind.Ticket => (await ledger.GetSessionAsync(ticketId, cancellationToken))?.Code,
            _ => null,
        };
        await ParkAndLeaveAsync(new Stay(ticketId, type, plan, code), dwell, exit, cancellationToken);
    }

    private async Task ParkAndLeaveAsync(Stay stay, TimeSpan dwell, Lane exit, CancellationToken cancellationToken)
    {
        await DelayScenarioAsync(TimeSpan.FromSeconds(scenario.DriveInSeconds), cancellationToken);
        if (_pool.TryClaim(stay.VehicleType, out var spot))
        {
            await StayAndLeaveAsync(stay, spot, dwell, exit, cancellationToken, parkFirst: true);
            return;
        }

        // Walk-in admission counts vehicles at the gates, not sensors, so a spot taken by a vehicle the
        // gates did not see (a tailgater, a recovery mismatch) can leave a driver with nowhere to go.
        Log.NoFreeSpot(logger, stay.VehicleType);
        await DelayScenarioAsync(TimeSpan.FromSeconds(scenario.DriveOutSeconds), cancellationToken);
        await LeaveAsync(stay, exit, cancellationToken);
    }

    private async Task StayAndLeaveAsync(Stay stay, SpotDescription spot, TimeSpan dwell, Lane exit, CancellationToken cancellationToken, bool parkFirst = false)
    {
        if (parkFirst)
        {
            sensors.Report(spot.SensorId!, occupied: true);
        }

        await DelayScenarioAsync(dwell, cancellationToken);
        sensors.Report(spot.SensorId!, occupied: false);
        _pool.Release(spot);
        await DelayScenarioAsync(TimeSpan.FromSeconds(scenario.DriveOutSeconds), cancellationToken);
        await LeaveAsync(stay, exit, cancellationToken);
    }

    /// <summary>Pays at the kiosk (walk-ins with their ticket), then drives out; pays at the exit what it still asks.</summary>
    private async Task LeaveAsync(Stay stay, Lane exit, CancellationToken cancellationToken)
    {
        if (stay.Plan.Kind == CredentialKind.Ticket && !stay.Plan.LostTicket && await ledger.GetSessionAsync(stay.TicketId, cancellationToken) is { EnteredAt: { } entered })
        {
            var price = await TicketPricing.PriceAsync(ledger, lot, stay.TicketId, stay.VehicleType, entered, time.GetUtcNow(), cancellationToken);
            if (!price.MayLeave)
            {
                await PayAsync(stay.TicketId, price.Outstanding, price.Quote.TariffVersion, stay.Plan.Method, cancellationToken);
            }
        }

        var rig = simulatedLot.Rig(exit.GateId);
        Action<Lane> present = stay.Plan switch
        {
            { Kind: CredentialKind.Permit, PermitUid: { } uid } => _ => rig.PermitReader.Present(Convert.FromHexString(uid)),
            { LostTicket: true } => lane => lane.DeclareLostTicket(stay.VehicleType),
            _ => lane => lane.PresentCode(stay.Code ?? string.Empty),
        };

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            LaneVisit visit;
            try
            {
                visit = await _driver.VisitAsync(rig, exit, present, PayAtExitAsync, cancellationToken);
            }
            finally
            {
                rig.PermitReader.Remove();
            }

            if (visit.Passed)
            {
                Release(stay.Plan);
                return;
            }

            // Turned away (a lane out of service, a code the lane does not take): try again later.
            await DelayScenarioAsync(TimeSpan.FromMinutes(5), cancellationToken);
        }

        Log.VehicleStuckInside(logger, stay.TicketId);

        async Task<bool> PayAtExitAsync(LaneSnapshot refused, CancellationToken ct)
        {
            if (refused.LastDecision != LaneDecisions.FeeDue || refused.AwaitingPaymentFor is not { } ticket || refused.FeeDue is not { } fee)
            {
                return false;
            }

            await PayAsync(ticket, fee, lot.Tariff.Version, stay.Plan.Method, ct);
            return true;
        }
    }

    private Task PayAsync(string ticketId, Money amount, string tariffVersion, PaymentMethod method, CancellationToken cancellationToken) =>
        ledger.AppendAsync(EventTypes.PaymentRecorded, new PaymentRecorded(Guid.NewGuid().ToString("N"), ticketId, amount, method, tariffVersion), cancellationToken);

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
            var inside = (await ledger.GetGateCountsAsync(cancellationToken)).Sum(c => c.Inside);
            Log.TrafficStatus(logger, occupied, lot.Spots.Count, inside, ledger.LastSeq);
        }
    }

    /// <summary>A pass valid from a little before now until well after the (compressed) stay.</summary>
    private string PassFor(string bookingId, VehicleType type, TimeSpan dwell)
    {
        var now = time.GetUtcNow();
        return issuer.Pass(bookingId, type, now.AddMinutes(-10), now + dwell / _speed + TimeSpan.FromHours(1));
    }

    private void Release(Plan plan)
    {
        if (plan.PermitUid is not null && issuer.PermitCards.FirstOrDefault(c => c.Uid == plan.PermitUid).Permit is { } permit)
        {
            _permitsInUse.TryRemove(permit.PermitId, out _);
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

    /// <summary>Long enough for a loop or beam edge to pass the drivers' debounce (30 ms) whatever the compression.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(70);

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

    /// <summary>How a vehicle identifies itself: a paper ticket (maybe lost later), a pass, or a permit card.</summary>
    private sealed record Plan(CredentialKind Kind, bool LostTicket, PaymentMethod Method, string? PermitUid);

    /// <summary>A vehicle inside: its session, plan, and the code it shows at the exit.</summary>
    private sealed record Stay(string TicketId, VehicleType VehicleType, Plan Plan, string? Code);

    private sealed record Recovered(CredentialKind Kind, string Id, string? Code);

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
