using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Occupancy;
using ParkingLot.Edge.Simulation;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Traffic;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Traffic;

public sealed class TrafficGeneratorTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly LotFile _lot = LotFileLoader.Load(RepositoryPaths.DemoLot);
    private LedgerStore _ledger = null!;
    private TicketSigner _signer = null!;

    public async Task InitializeAsync()
    {
        _ledger = await LedgerStore.OpenAsync(_directory.File("ledger.db"), _lot.LotId, TimeProvider.System, TestContext.Token);
        _signer = TicketSigner.LoadOrCreate(_directory.Path, _lot.LotId, out _);
    }

    public async Task DisposeAsync()
    {
        _signer.Dispose();
        await _ledger.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public void Load_DemoDayScenario_IsValidAndCoversEveryVehicleTypeOfTheDemoLot()
    {
        var scenario = TrafficScenario.Load(RepositoryPaths.DemoScenario);

        Assert.Empty(scenario.Validate());
        Assert.Equal(24, scenario.HourlyProfile.Count);
        Assert.All(_lot.Spots.Select(s => LotFileLoader.VehicleTypeName(s.VehicleType)).Distinct(), type => Assert.Contains(type, scenario.VehicleTypes.Keys));
    }

    [Fact]
    public async Task Run_FastScenario_VehiclesEnterParkLeaveAndPay()
    {
        await using var run = await StartAsync(speed: 7200);
        await TestContext.WaitUntilAsync(
            async () => (await _ledger.ReadAfterAsync(0, 100_000, TestContext.Token)).Count(e => e.Type == EventTypes.VehicleExited) >= 20,
            TimeSpan.FromSeconds(60),
            "20 simulated vehicles to leave");
        Assert.Contains(await _ledger.ReadAfterAsync(0, 100_000, TestContext.Token), e => e.Type == EventTypes.LaneAdmitted);
        await run.StopAsync();

        var events = await _ledger.ReadAfterAsync(0, 100_000, TestContext.Token);
        var exited = events.Where(e => e.Type == EventTypes.VehicleExited).Select(e => e.Payload.GetProperty("ticketId").GetString()).ToHashSet();
        var entered = events.Where(e => e.Type == EventTypes.VehicleEntered).Select(e => e.Payload.GetProperty("ticketId").GetString()).ToHashSet();
        Assert.Subset(entered, exited);
        Assert.Contains(events, e => e.Type == EventTypes.OccupancyChanged && e.Payload.GetProperty("occupied").GetBoolean());
        Assert.Contains(events, e => e.Type == EventTypes.OccupancyChanged && !e.Payload.GetProperty("occupied").GetBoolean());
        Assert.True((await _ledger.VerifyAsync(TestContext.Token)).IsValid);

        // Occupancy never exceeds the spots of a type, and the sensors agree with the replayed log.
        var occupancy = await _ledger.GetOccupancyAsync(TestContext.Token);
        Assert.All(occupancy, pair => Assert.InRange(pair.Value, 0, _lot.SpotsOf(pair.Key).Count()));
    }

    [Fact]
    public async Task Run_AfterACrashWithVehiclesInside_RecoversAndLetsThemOut()
    {
        // The ledger a killed agent left: two parked cars that entered with tickets (gate count 2).
        var code = _signer.Sign("TA", VehicleType.Car, DateTimeOffset.UnixEpoch);
        await _ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued("TA", "entry-1", VehicleType.Car, DateTimeOffset.UnixEpoch, code));
        await _ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", "TA", VehicleType.Car, CredentialKind.Ticket, null));
        await _ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged("C001", VehicleType.Car, true, "sensor-C001"));
        var codeB = _signer.Sign("TB", VehicleType.Car, DateTimeOffset.UnixEpoch);
        await _ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued("TB", "entry-1", VehicleType.Car, DateTimeOffset.UnixEpoch, codeB));
        await _ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", "TB", VehicleType.Car, CredentialKind.Ticket, null));
        await _ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged("C002", VehicleType.Car, true, "sensor-C002"));

        await using var run = await StartAsync(speed: 7200);
        await TestContext.WaitUntilAsync(
            async () => (await _ledger.GetOpenSessionsAsync(TestContext.Token)).All(s => s.TicketId is not ("TA" or "TB")),
            TimeSpan.FromSeconds(90),
            "the recovered vehicles to leave");
        await run.StopAsync();

        var spots = (await _ledger.GetSpotsAsync(TestContext.Token)).ToDictionary(s => s.SpotId);
        Assert.Equal(SessionStatus.Closed, (await _ledger.GetSessionAsync("TA", TestContext.Token))!.Status);
        Assert.True(spots["C001"].ChangedAt > DateTimeOffset.UnixEpoch);
    }

    private async Task<TrafficRun> StartAsync(double speed)
    {
        var sensors = new SimulatedSpaceSensors();
        var options = Options.Create(new TrafficOptions { Speed = speed, StatusInterval = TimeSpan.FromMinutes(10) });
        var issuer = new SimulatedCloudIssuer(_directory.Path, _lot);
        var keys = new CredentialKeyRing(_signer, new Dictionary<string, string> { [issuer.KeyId] = issuer.PublicKey });
        var context = new LaneContext(_lot, _signer, keys, new PermitDirectory(issuer.PermitCards.Select(c => c.Permit)), new LaneOptions());
        var world = new SimulatedLot(_lot, TimeProvider.System, SimulatedLaneTiming.ForSpeed(speed), issuer.PermitsByUid);
        Lane[] lanes =
        [
            .. _lot.Gates.Select(g => g.Direction == GateDirection.Entry
                ? (Lane)new EntryLane(g, world.Rig(g.Id).Devices, context, _ledger, TimeProvider.System, NullLogger<EntryLane>.Instance)
                : new ExitLane(g, world.Rig(g.Id).Devices, context, _ledger, TimeProvider.System, NullLogger<ExitLane>.Instance)),
        ];
        foreach (var lane in lanes)
        {
            await lane.StartAsync(TestContext.Token);
        }

        var monitor = new OccupancyMonitor(sensors, _lot, _ledger, NullLogger<OccupancyMonitor>.Instance);
        var generator = new TrafficGenerator(_lot, TrafficScenario.Load(RepositoryPaths.DemoScenario), options, lanes, world, issuer, sensors, _ledger, TimeProvider.System, NullLogger<TrafficGenerator>.Instance);
        await monitor.StartAsync(TestContext.Token);
        await generator.StartAsync(TestContext.Token);
        return new TrafficRun(generator, monitor, lanes, world, issuer, keys);
    }

    private sealed record TrafficRun(TrafficGenerator Generator, OccupancyMonitor Monitor, Lane[] Lanes, SimulatedLot World, SimulatedCloudIssuer Issuer, CredentialKeyRing Keys) : IAsyncDisposable
    {
        public async Task StopAsync()
        {
            await Generator.StopAsync(CancellationToken.None);
            await Monitor.StopAsync(CancellationToken.None);
            foreach (var lane in Lanes)
            {
                await lane.StopAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Generator.Dispose();
            Monitor.Dispose();
            foreach (var lane in Lanes)
            {
                await lane.DisposeAsync();
            }

            World.Dispose();
            Keys.Dispose();
            Issuer.Dispose();
        }
    }
}
