using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Occupancy;
using ParkingLot.Edge.Payments;
using ParkingLot.Edge.Simulation;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.Gates;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;
using Xunit.Abstractions;

namespace ParkingLot.Edge.Tests.Scenario;

/// <summary>
/// A day at the demo lot with the network down: a few hundred vehicles of every type through the
/// real lanes on simulated hardware (walk-ins paying cash or card at the kiosk, pass holders, permit
/// holders, lost tickets, overstaying passes; money through the kiosk's <see cref="PaymentRecorder"/>), a barrier that jams and is reset, a printer that runs
/// out of paper and is refilled, a tailgater in and out. The day is played in event order on a fake
/// clock (arrivals and departures from a seeded generator); the ledger, the sensors and the money
/// are checked along the way and at the end.
/// </summary>
public sealed class DayScenarioTests(ITestOutputHelper output)
{
    private const int Arrivals = 220;

    // 06:00 in Berlin (UTC+1 in November).
    private static readonly DateTimeOffset Morning = new(2026, 11, 25, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Day_OfflineWithFaults_LedgerVerifiesOccupancyMatchesTheSensorsAndTakingsEqualTheFees()
    {
        var lot = LotFileLoader.Load(RepositoryPaths.DemoLot);
        var time = new FakeTimeProvider(Morning);
        await using var h = await LaneHarness.CreateAsync(lot, time: time);

        // Coarser steps than the lane tests: hundreds of visits, and nothing here times a debounce.
        h.Step = TimeSpan.FromMilliseconds(50);
        var entry = await h.StartAsync("entry-1");
        var exit = await h.StartAsync("exit-1");
        var entryRig = h.Rig("entry-1");
        var exitRig = h.Rig("exit-1");
        entryRig.Mechanics.TravelTime = exitRig.Mechanics.TravelTime = TimeSpan.FromMilliseconds(100);
        using var kiosk = new PaymentRecorder(h.Ledger, lot, time, NullLogger<PaymentRecorder>.Instance);
        var sensors = new SimulatedSpaceSensors();
        using var monitor = new OccupancyMonitor(sensors, lot, h.Ledger, NullLogger<OccupancyMonitor>.Instance);
        await monitor.StartAsync(TestContext.Token);

        var random = new Random(20261125);
        var world = new World(lot);
        var agenda = new PriorityQueue<Func<Task>, (DateTimeOffset, int)>();
        var order = 0;
        var stats = new Stats();
        var paid = new List<(Money Amount, PaymentMethod Method)>();
        Vehicle? tailgaterInside = null;

        // Arrivals spread over 06:00-20:00, types weighted like the demo lot's spots.
        var at = Morning;
        for (var n = 0; n < Arrivals; n++)
        {
            at += TimeSpan.FromMinutes(-Math.Log(1 - random.NextDouble()) * 14 * 60 / Arrivals);
            var vehicle = World.Draw(random, n);
            var arrival = at;
            agenda.Enqueue(() => ArriveAsync(vehicle), (arrival, order++));
        }

        while (agenda.TryDequeue(out var step, out var when))
        {
            if (when.Item1 > time.GetUtcNow())
            {
                time.Advance(when.Item1 - time.GetUtcNow());
            }

            await step();
            if (order % 40 == 0)
            {
                await CheckOccupancyAsync();
            }
        }

        await CheckOccupancyAsync();
        await monitor.StopAsync(CancellationToken.None);

        var events = await h.EventsAfterAsync(0);
        var verification = await h.Ledger.VerifyAsync(TestContext.Token);
        var payments = await h.Ledger.GetPaymentsAsync(TestContext.Token);
        var exitFees = events.Where(e => e.Type == EventTypes.VehicleExited)
            .Select(e => e.Payload.TryGetProperty("fee", out var fee) && fee.ValueKind != System.Text.Json.JsonValueKind.Null ? fee.GetProperty("minor").GetInt64() : 0)
            .Sum();
        output.WriteLine($"{events.Count} events; {stats}; takings {payments.Sum(p => p.Amount.Minor)} minor units ({payments.Count(p => p.Method == PaymentMethod.Cash)} cash, {payments.Count(p => p.Method == PaymentMethod.Card)} card)");

        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(0, h.Ledger.AckedSeq);
        Assert.InRange(stats.Entered, 190, Arrivals);
        Assert.Equal(stats.Entered, stats.Exited);
        Assert.True(stats.Passes >= 10 && stats.Permits >= 3 && stats.LostTickets >= 5, stats.ToString());
        Assert.True(stats.Refused.GetValueOrDefault(LaneDecisions.NoTickets) >= 1, stats.ToString());
        Assert.True(stats.Refused.GetValueOrDefault(LaneDecisions.OutOfService) >= 1, stats.ToString());
        Assert.Single(events, e => e.Type == EventTypes.BarrierFault);
        Assert.Single(events, e => e.Type == EventTypes.GateFault);
        Assert.Single(events, e => e.Type == EventTypes.LaneReset);
        Assert.Equal(2, events.Count(e => e.Type == EventTypes.LaneTailgate));
        Assert.Equal(events.Count(e => e.Type == EventTypes.VehicleEntered), events.Count(e => e.Type == EventTypes.VehicleExited));

        // Money: what drivers paid is what the ledger holds, and every cent is on an exit.
        Assert.Equal(paid.Sum(p => p.Amount.Minor), payments.Sum(p => p.Amount.Minor));
        Assert.Equal(payments.Sum(p => p.Amount.Minor), exitFees);
        Assert.Contains(payments, p => p.Method == PaymentMethod.Cash);
        Assert.Contains(payments, p => p.Method == PaymentMethod.Card);
        Assert.All(payments, p => Assert.Equal(lot.Currency, p.Amount.Currency));
        Assert.Empty(await h.Ledger.GetGateCountsAsync(TestContext.Token));
        Assert.Empty(await h.Ledger.GetInsideAsync(TestContext.Token));
        Assert.All(await h.Ledger.GetLanesAsync(TestContext.Token), l => Assert.Equal((LaneStep.Idle, false, (string?)null), (l.State, l.BarrierOpen, l.Fault)));

        async Task ArriveAsync(Vehicle vehicle)
        {
            vehicle.Departure = time.GetUtcNow() + vehicle.Dwell;
            if (vehicle.Kind == Kind.Permit && (vehicle.PermitUid = world.TakePermit(vehicle.Type, h.Cloud)) is null)
            {
                vehicle.Kind = Kind.WalkIn;
            }

            if (vehicle.Number == 90)
            {
                // The entry arm jams: the next driver is turned away, a technician frees it and resets the lane.
                entryRig.Mechanics.Stuck = true;
                var jammed = await VisitEntryAsync(vehicle);
                Assert.False(jammed.Passed);
                entryRig.Mechanics.Stuck = false;
                entry.Reset("arm freed");
                await h.UntilAsync(() => !entry.Snapshot.OutOfService, "the reset");
                await h.UntilAsync(() => entryRig.Barrier.Position != BarrierPosition.Moving, "the arm to rest");
            }

            entryRig.Printer!.PaperOut = vehicle.Number is >= 150 and < 160;
            var visit = await VisitEntryAsync(vehicle, tailgater: vehicle.Number == 40);
            if (!visit.Passed)
            {
                world.Release(vehicle);
                return;
            }

            stats.Entered++;
            vehicle.TicketId = visit.Snapshot.TicketId;
            vehicle.Code ??= (await h.Ledger.GetSessionAsync(vehicle.TicketId!, TestContext.Token))?.Code;
            vehicle.EnteredAt = time.GetUtcNow();
            Park(vehicle);
            Schedule(vehicle.Departure, () => DepartAsync(vehicle));
            if (vehicle.Number == 40)
            {
                // The car on its bumper parks too, and leaves later behind someone else.
                var tailgater = new Vehicle(-1, VehicleType.Car, Kind.WalkIn, PaymentMethod.Cash, TimeSpan.FromHours(3), false) { Departure = time.GetUtcNow().AddHours(3) };
                Park(tailgater);
                tailgaterInside = tailgater;
            }
        }

        async Task DepartAsync(Vehicle vehicle)
        {
            Unpark(vehicle);
            if (vehicle.Kind == Kind.WalkIn && !vehicle.LostTicket)
            {
                // At the kiosk: its price (the exit rule) and its ledger API.
                var session = (await h.Ledger.GetSessionAsync(vehicle.TicketId!, TestContext.Token))!;
                var price = await kiosk.PriceAsync(session, TestContext.Token);
                if (!price.MayLeave)
                {
                    await PayAsync(vehicle.TicketId!, price.Outstanding, vehicle.Method);
                }

                // Back to the car and to the exit, inside the 15 minutes of grace.
                time.Advance(TimeSpan.FromMinutes(4));
            }

            var follower = tailgaterInside is { } t && time.GetUtcNow() > t.Departure ? t : null;
            if (follower is not null)
            {
                Unpark(follower);
                tailgaterInside = null;
            }

            var visit = await h.VisitAsync(exit, Present(vehicle, exitRig), PayAtTheExitAsync, tailgater: follower is not null);
            exitRig.PermitReader.Remove();
            Assert.True(visit.Passed, $"vehicle {vehicle.Number} ({vehicle.Kind}) refused at the exit: {visit.Snapshot.LastDetail}");
            stats.Exited++;
            world.Release(vehicle);

            async Task<bool> PayAtTheExitAsync(LaneSnapshot refused, CancellationToken ct)
            {
                if (refused.LastDecision != LaneDecisions.FeeDue)
                {
                    return false;
                }

                await PayAsync(refused.AwaitingPaymentFor!, refused.FeeDue!.Value, vehicle.Method);
                return true;
            }
        }

        async Task<LaneVisit> VisitEntryAsync(Vehicle vehicle, bool tailgater = false)
        {
            var visit = await h.VisitAsync(entry, Present(vehicle, entryRig), tailgater: tailgater);
            entryRig.PermitReader.Remove();
            if (!visit.Passed)
            {
                stats.Refused[visit.Snapshot.LastDecision ?? "?"] = stats.Refused.GetValueOrDefault(visit.Snapshot.LastDecision ?? "?") + 1;
            }
            else
            {
                stats.Count(vehicle);
            }

            // The reader must see the card go away before it reports the next one.
            time.Advance(TimeSpan.FromMilliseconds(200));
            return visit;
        }

        Action<Lane> Present(Vehicle vehicle, SimulatedLaneRig rig) => vehicle.Kind switch
        {
            Kind.Pass => lane => lane.PresentCode(vehicle.Code ??= h.Cloud.Pass($"BK-{vehicle.Number}", vehicle.Type, time.GetUtcNow().AddMinutes(-10), vehicle.PassEnds)),
            Kind.Permit => _ => rig.PermitReader.Present(Convert.FromHexString(vehicle.PermitUid!)),
            _ when vehicle.TicketId is null => lane => lane.RequestTicket(vehicle.Type),
            _ when vehicle.LostTicket => lane => lane.DeclareLostTicket(vehicle.Type),
            _ => lane => lane.PresentCode(vehicle.Code!),
        };

        async Task PayAsync(string ticketId, Money amount, PaymentMethod method)
        {
            await kiosk.RecordAsync(ticketId, amount, method, lot.Tariff.Version, "day scenario", TestContext.Token);
            paid.Add((amount, method));
        }

        void Schedule(DateTimeOffset when, Func<Task> what) => agenda.Enqueue(what, (when, order++));

        void Park(Vehicle vehicle)
        {
            vehicle.Spot = world.ClaimSpot(vehicle.Type);
            if (vehicle.Spot is { } spot)
            {
                sensors.Report(spot.SensorId!, occupied: true);
            }
        }

        void Unpark(Vehicle vehicle)
        {
            if (vehicle.Spot is { } spot)
            {
                world.FreeSpot(spot);
                sensors.Report(spot.SensorId!, occupied: false);
                vehicle.Spot = null;
            }
        }

        async Task CheckOccupancyAsync()
        {
            // The ledger's spots (written by the occupancy monitor from sensor readings) match the sensors,
            // and the gate count of vehicles inside matches the vehicles the simulation has inside.
            await TestContext.WaitUntilAsync(
                async () => (await h.Ledger.GetSpotsAsync(TestContext.Token)).Where(s => s.Occupied).Select(s => s.SpotId).Order(StringComparer.Ordinal)
                    .SequenceEqual(world.Occupied.Order(StringComparer.Ordinal)),
                TimeSpan.FromSeconds(10),
                "the ledger's spots to match the sensors");
            var inside = (await h.Ledger.GetGateCountsAsync(TestContext.Token)).Sum(c => c.Inside);
            Assert.Equal(stats.Entered - stats.Exited + (tailgaterInside is null ? 0 : 1), inside);
        }
    }

    private enum Kind
    {
        WalkIn,
        Pass,
        Permit,
    }

    private sealed class Vehicle(int number, VehicleType type, Kind kind, PaymentMethod method, TimeSpan dwell, bool lostTicket)
    {
        public int Number { get; } = number;

        public VehicleType Type { get; } = type;

        public Kind Kind { get; set; } = kind;

        public PaymentMethod Method { get; } = method;

        public TimeSpan Dwell { get; } = dwell;

        public DateTimeOffset Departure { get; set; }

        public bool LostTicket { get; } = lostTicket;

        /// <summary>Most passes cover the stay; every fifth long one ends an hour early (the driver overstays).</summary>
        public DateTimeOffset PassEnds => Number % 5 == 0 && Dwell > TimeSpan.FromMinutes(90) ? Departure.AddHours(-1) : Departure.AddMinutes(30);

        public string? PermitUid { get; set; }

        public string? TicketId { get; set; }

        public string? Code { get; set; }

        public DateTimeOffset EnteredAt { get; set; }

        public SpotDescription? Spot { get; set; }
    }

    private sealed class Stats
    {
        public int Entered { get; set; }

        public int Exited { get; set; }

        public int Passes { get; private set; }

        public int Permits { get; private set; }

        public int LostTickets { get; private set; }

        public Dictionary<string, int> Refused { get; } = [];

        public void Count(Vehicle vehicle)
        {
            Passes += vehicle.Kind == Kind.Pass ? 1 : 0;
            Permits += vehicle.Kind == Kind.Permit ? 1 : 0;
            LostTickets += vehicle.LostTicket ? 1 : 0;
        }

        public override string ToString() =>
            $"entered {Entered}, exited {Exited}, passes {Passes}, permits {Permits}, lost tickets {LostTickets}, refused {string.Join(", ", Refused.Select(r => $"{r.Key} {r.Value}"))}";
    }

    /// <summary>The simulation's own view: free spots, permit cards in use.</summary>
    private sealed class World(LotFile lot)
    {
        private static readonly (VehicleType Type, int Weight)[] Mix = [(VehicleType.Car, 60), (VehicleType.Ev, 12), (VehicleType.Motorcycle, 12), (VehicleType.Truck, 8), (VehicleType.Accessible, 8)];
        private readonly HashSet<string> _occupied = new(StringComparer.Ordinal);
        private readonly HashSet<string> _permitsInside = new(StringComparer.Ordinal);

        public IEnumerable<string> Occupied => _occupied;

        public static Vehicle Draw(Random random, int number)
        {
            var pick = random.Next(100);
            var type = Mix.First(m => (pick -= m.Weight) < 0).Type;
            var kindDraw = random.NextDouble();
            var kind = kindDraw < 0.12 ? Kind.Pass : kindDraw < 0.18 ? Kind.Permit : Kind.WalkIn;
            var lost = kind == Kind.WalkIn && random.NextDouble() < 0.06;
            var method = random.Next(2) == 0 ? PaymentMethod.Cash : PaymentMethod.Card;
            var dwell = TimeSpan.FromMinutes(10 + (random.NextDouble() * random.NextDouble() * 400));
            return new Vehicle(number, type, kind, method, dwell, lost);
        }

        /// <summary>A permit card of <paramref name="type"/> whose holder is not inside, or null.</summary>
        public string? TakePermit(VehicleType type, SimulatedCloudIssuer issuer)
        {
            var card = issuer.PermitCards.FirstOrDefault(c => c.Permit.VehicleType == type && !_permitsInside.Contains(c.Uid));
            if (card.Uid is not null)
            {
                _permitsInside.Add(card.Uid);
            }

            return card.Uid;
        }

        public void Release(Vehicle vehicle)
        {
            if (vehicle.PermitUid is { } uid)
            {
                _permitsInside.Remove(uid);
            }
        }

        public SpotDescription? ClaimSpot(VehicleType type)
        {
            var spot = lot.SpotsOf(type).FirstOrDefault(s => s.SensorId is not null && !_occupied.Contains(s.Id));
            if (spot is not null)
            {
                _occupied.Add(spot.Id);
            }

            return spot;
        }

        public void FreeSpot(SpotDescription spot) => _occupied.Remove(spot.Id);
    }
}
