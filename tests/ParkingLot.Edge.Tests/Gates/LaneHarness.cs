using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Simulation;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Time;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>
/// A lot with real lanes over the simulated hardware (simulated GPIO driver under a real
/// GpioController, debounced loop and beam, GPIO barrier with simulated arm, ESC/POS printer on the
/// simulated printer, displays, NFC readers, scanners), a fresh ledger and a fake clock that the
/// harness steps while a test waits, so every debounce, arm travel and timeout runs on fake time.
/// </summary>
internal sealed class LaneHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Poll interval of the simulated NFC readers. 250 ms (a real reader polls every 100-250 ms): each
    /// poll is a timer the clock must stop at, so a shorter one only slows the tests down.
    /// </summary>
    private static readonly TimeSpan PermitPoll = TimeSpan.FromMilliseconds(250);


    private readonly TempDirectory _directory;
    private readonly List<Lane> _lanes = [];

    private LaneHarness(TempDirectory directory, LotFile lot, LedgerStore ledger, FakeTimeProvider time, TrustedClock? clock)
    {
        _directory = directory;
        Lot = lot;
        Ledger = ledger;
        Time = time;
        Signer = TicketSigner.LoadOrCreate(directory.Path, lot.LotId, out _);
        Cloud = new SimulatedCloudIssuer(directory.Path, lot);
        Keys = new CredentialKeyRing(Signer, new Dictionary<string, string> { [Cloud.KeyId] = Cloud.PublicKey });
        Permits = new PermitDirectory(Cloud.PermitCards.Select(c => c.Permit));
        Context = new LaneContext(lot, Signer, Keys, Permits, new LaneOptions(), clock);
        World = new SimulatedLot(lot, time, new SimulatedLaneTiming(TimeSpan.FromMilliseconds(200), null, PermitPoll), Cloud.PermitsByUid);
        Driver = new SimulatedDriver(time, (_, ct) => Task.Delay(TimeSpan.FromMilliseconds(60), time, ct), TimeSpan.FromMilliseconds(60));
    }

    public LotFile Lot { get; }

    public LedgerStore Ledger { get; }

    public FakeTimeProvider Time { get; }

    public TicketSigner Signer { get; }

    public SimulatedCloudIssuer Cloud { get; }

    public CredentialKeyRing Keys { get; }

    public PermitDirectory Permits { get; }

    public LaneContext Context { get; }

    public SimulatedLot World { get; private set; }

    public SimulatedDriver Driver { get; }

    public string DataDirectory => _directory.Path;

    /// <summary>How far the fake clock moves per step while a test waits. Default 20 ms, below every debounce and travel time.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(20);

    public static Task<LaneHarness> CreateAsync(LotFile? lot = null, TrustedClock? clock = null, FakeTimeProvider? time = null, TempDirectory? directory = null) =>
        CreateCoreAsync(lot ?? new LotFileBuilder(cars: 4, evs: 2, reservableCars: 1).Build(), clock, time ?? new JumpingTimeProvider(Start), directory ?? new TempDirectory());

    /// <summary>Creates a lane for <paramref name="gateId"/> over the simulated devices; <see cref="StartAsync"/> starts (recovers) it.</summary>
    public Lane Lane(string gateId)
    {
        var gate = Lot.Gates.Single(g => g.Id == gateId);
        var devices = World.Rig(gateId).Devices;
        Lane lane = gate.Direction == GateDirection.Entry
            ? new EntryLane(gate, devices, Context, Ledger, Time, NullLogger<EntryLane>.Instance)
            : new ExitLane(gate, devices, Context, Ledger, Time, NullLogger<ExitLane>.Instance);
        _lanes.Add(lane);
        return lane;
    }

    /// <summary>Creates a lane for <paramref name="gateId"/> over <paramref name="devices"/> (a test's own rig, e.g. with loop B).</summary>
    public Lane Lane(string gateId, LaneDevices devices)
    {
        var gate = Lot.Gates.Single(g => g.Id == gateId);
        Lane lane = gate.Direction == GateDirection.Entry
            ? new EntryLane(gate, devices, Context, Ledger, Time, NullLogger<EntryLane>.Instance)
            : new ExitLane(gate, devices, Context, Ledger, Time, NullLogger<ExitLane>.Instance);
        _lanes.Add(lane);
        return lane;
    }

    public async Task<Lane> StartAsync(string gateId)
    {
        var lane = Lane(gateId);
        await RunAsync(lane.StartAsync(TestContext.Token));
        return lane;
    }

    public async Task<Lane> StartAsync(string gateId, LaneDevices devices)
    {
        var lane = Lane(gateId, devices);
        await RunAsync(lane.StartAsync(TestContext.Token));
        return lane;
    }

    /// <summary>Stops every lane where it is (a power cut for the lanes; the ledger keeps what they committed).</summary>
    public async Task StopLanesAsync()
    {
        foreach (var lane in _lanes)
        {
            await lane.DisposeAsync();
        }

        _lanes.Clear();
    }

    public SimulatedLaneRig Rig(string gateId) => World.Rig(gateId);

    /// <summary>
    /// A power cut: the lanes stop where they are (mid-cycle; the ledger keeps what they committed),
    /// the simulated world is rebuilt as a restarted Pi finds it, and the sensors are set to what
    /// the vehicles are doing now (settled through the debounce). Lanes created after this recover.
    /// </summary>
    public async Task PowerCutAsync(params (string GateId, bool Loop, bool Passage)[] sensors)
    {
        foreach (var lane in _lanes)
        {
            await lane.DisposeAsync();
        }

        _lanes.Clear();
        World.Dispose();
        World = new SimulatedLot(Lot, Time, new SimulatedLaneTiming(TimeSpan.FromMilliseconds(200), null, PermitPoll), Cloud.PermitsByUid);
        foreach (var (gateId, loop, passage) in sensors)
        {
            Rig(gateId).Loop(loop);
            Rig(gateId).Passage(passage);
        }

        Time.Advance(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Moves the fake clock until <paramref name="condition"/> holds (fails after <paramref name="maxFakeTime"/>
    /// of fake time). Once the lanes have handled every input, the clock jumps straight to the next
    /// due timer (a debounce settling, the arm arriving, the closing hold running out); while a lane
    /// is still busy (a ledger fsync) it moves by <see cref="Step"/> at most.
    /// </summary>
    public Task UntilAsync(Func<bool> condition, string what, TimeSpan? maxFakeTime = null) =>
        UntilAsync(condition, what, maxFakeTime ?? TimeSpan.FromSeconds(30), throwAtLimit: true);

    /// <summary>Lets exactly <paramref name="span"/> of fake time pass, the lanes handling what it brings (never further).</summary>
    public Task ElapseAsync(TimeSpan span) => UntilAsync(() => false, $"{span} to pass", span, throwAtLimit: false);

    private async Task UntilAsync(Func<bool> condition, string what, TimeSpan limit, bool throwAtLimit)
    {
        var until = Time.GetUtcNow() + limit;
        while (!condition())
        {
            var now = Time.GetUtcNow();
            if (now >= until)
            {
                if (!throwAtLimit)
                {
                    return;
                }

                throw new TimeoutException($"Still waiting for {what} after {limit} of fake time.");
            }

            var quiet = await QuietAsync();
            if (condition())
            {
                break;
            }

            Time.Advance(await NextStepAsync(quiet, now, until));
        }
    }

    /// <summary>
    /// Waits (a bounded number of real yields) until every lane has handled every input, so fake
    /// time does not run on while a lane is still taking its step (a ledger fsync).
    /// </summary>
    private async Task<bool> QuietAsync()
    {
        for (var i = 0; i < 500; i++)
        {
            await Task.Delay(1, CancellationToken.None);
            if (_lanes.TrueForAll(l => l.IsQuiet))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="Step"/>, or further when the lanes are quiet and no timer is due sooner: straight to
    /// the next due timer (checked again after one more yield, so a continuation the last step
    /// released has had its turn to register its own timer first).
    /// </summary>
    private async Task<TimeSpan> NextStepAsync(bool quiet, DateTimeOffset now, DateTimeOffset until)
    {
        var step = Step;
        if (quiet && Time is JumpingTimeProvider jumping && jumping.NextDue is { } due && due - now > Step)
        {
            await Task.Delay(1, CancellationToken.None);
            if (_lanes.TrueForAll(l => l.IsQuiet) && jumping.NextDue is { } still && still - now > Step)
            {
                step = still - now;
            }
        }

        return step < until - now ? step : until - now;
    }

    /// <summary>Steps the fake clock until <paramref name="task"/> completes.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? maxFakeTime = null)
    {
        await UntilAsync(() => task.IsCompleted, "a task", maxFakeTime ?? TimeSpan.FromMinutes(2));
        return await task;
    }

    public async Task RunAsync(Task task, TimeSpan? maxFakeTime = null) =>
        await RunAsync(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), maxFakeTime);

    /// <summary>A whole visit of one simulated vehicle at <paramref name="lane"/> (see <see cref="SimulatedDriver"/>).</summary>
    /// <summary>
    /// A whole visit of one simulated vehicle at <paramref name="lane"/> (see <see cref="SimulatedDriver"/>),
    /// until the lane is idle with the arm down again, so a test may then jump the clock by hours
    /// without a barrier move in flight.
    /// </summary>
    public async Task<LaneVisit> VisitAsync(Lane lane, Action<Lane> present, Func<LaneSnapshot, CancellationToken, Task<bool>>? onRefused = null, bool tailgater = false)
    {
        var visit = await RunAsync(Driver.VisitAsync(Rig(lane.GateId), lane, present, onRefused, TestContext.Token, tailgater));
        if (!lane.Snapshot.OutOfService)
        {
            await IdleAsync(lane);
        }

        return visit;
    }

    /// <summary>Waits until the lane is idle with the arm down.</summary>
    public Task IdleAsync(Lane lane) =>
        UntilAsync(() => lane.Snapshot.State == LaneState.Idle && Rig(lane.GateId).Barrier.Position == BarrierPosition.Closed, $"{lane.GateId} idle with the arm down");

    public Task<LedgerEvent> PayAsync(string ticketId, long minor, PaymentMethod method = PaymentMethod.Card) =>
        Ledger.AppendAsync(EventTypes.PaymentRecorded, new PaymentRecorded(Guid.NewGuid().ToString("N"), ticketId, new Money(minor, Lot.Currency), method, Lot.Tariff.Version));

    public async Task<IReadOnlyList<LedgerEvent>> EventsAfterAsync(long seq) => await Ledger.ReadAfterAsync(seq, 100_000, TestContext.Token);

    /// <summary>Event types after <paramref name="seq"/> that belong to <paramref name="gateId"/> (payloads with that gateId).</summary>
    public async Task<IReadOnlyList<string>> GateEventTypesAfterAsync(long seq, string gateId) =>
        (await EventsAfterAsync(seq))
            .Where(e => e.Payload.ValueKind == JsonValueKind.Object && e.Payload.TryGetProperty("gateId", out var g) && g.GetString() == gateId)
            .Select(e => e.Type)
            .ToList();

    public string DisplayText(string gateId) => string.Join(" ", Rig(gateId).Display.CurrentLines.Select(l => l.Trim()).Where(l => l.Length > 0));

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes)
        {
            await lane.DisposeAsync();
        }

        World.Dispose();
        Keys.Dispose();
        Cloud.Dispose();
        Signer.Dispose();
        await Ledger.DisposeAsync();
        _directory.Dispose();
    }

    private static async Task<LaneHarness> CreateCoreAsync(LotFile lot, TrustedClock? clock, FakeTimeProvider time, TempDirectory directory)
    {
        var ledger = await LedgerStore.OpenAsync(directory.File("ledger.db"), lot.LotId, time, TestContext.Token);
        return new LaneHarness(directory, lot, ledger, time, clock);
    }
}
