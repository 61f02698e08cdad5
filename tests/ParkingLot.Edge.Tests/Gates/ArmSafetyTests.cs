using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using ParkingLot.Edge.Control;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>
/// The arm never comes down on a vehicle: the closing rule (beam and loop B clear for the hold
/// time), reversal while closing, the barrier controller's own reversal told apart from a stuck arm,
/// power-on with a vehicle under a raised arm, and a technician's close through the interlock. Each
/// runs a real lane over a real ledger on simulated GPIO with the real drivers; the simulated arm
/// falls whenever the relay is released and counts every fall.
/// </summary>
public sealed class ArmSafetyTests : IAsyncLifetime
{
    private LaneHarness _h = null!;
    private ArmRig _rig = null!;

    public async Task InitializeAsync()
    {
        _h = await LaneHarness.CreateAsync();
        _rig = new ArmRig("entry-1", _h.Time);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        _rig.Dispose();
    }

    [Fact]
    public async Task CarWithTrailer_GapShorterThanTheHold_ArmStaysUpUntilBothAreThrough()
    {
        var lane = await _h.StartAsync("entry-1", _rig.Devices);
        await AdmitAndPassAsync(lane);
        var carThrough = _h.Ledger.LastSeq;

        // The car clears the beam; the trailer's drawbar gap is 600 ms, shorter than the 1 s hold.
        await _h.ElapseAsync(TimeSpan.FromMilliseconds(600));
        Assert.Equal(0, _rig.Mechanics.Descents);
        _rig.Beam(true);
        await _h.ElapseAsync(TimeSpan.FromMilliseconds(800));
        _rig.Beam(false);
        await _h.ElapseAsync(TimeSpan.FromMilliseconds(700));
        Assert.Equal(0, _rig.Mechanics.Descents);
        Assert.Equal(BarrierPosition.Open, _rig.Barrier.Position);
        Assert.Equal(LaneState.Passed, lane.Snapshot.State);

        // The car has reached loop B, past the arm: still held up while it stands there.
        _rig.LoopB(true);
        await _h.ElapseAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(0, _rig.Mechanics.Descents);
        _rig.LoopB(false);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Idle && _rig.Barrier.Position == BarrierPosition.Closed, "the arm down after the trailer");

        Assert.Equal(1, _rig.Mechanics.Descents);
        var events = await _h.GateEventTypesAfterAsync(carThrough, "entry-1");
        Assert.Equal([EventTypes.BarrierMoved], events);
        Assert.Equal(0, lane.Snapshot.Tailgates);
    }

    [Fact]
    public async Task BeamBrokenWhileClosing_ReversesAtOnceWithoutAFaultAndTheLaneStaysInService()
    {
        var (lane, closing) = await ArmComingDownAsync();

        _rig.Beam(true);
        await _h.UntilAsync(() => _rig.Barrier.Position == BarrierPosition.Open, "the arm back up");
        Assert.Equal(1, _rig.Mechanics.Descents);

        Assert.True(_rig.RelayOpen);
        var events = await _h.EventsAfterAsync(closing);
        var reversed = Assert.Single(events, e => e.Type == EventTypes.BarrierReversed);
        Assert.Equal("beam", reversed.Payload.GetProperty("cause").GetString());
        Assert.DoesNotContain(events, e => e.Type == EventTypes.BarrierFault);
        Assert.False(lane.Snapshot.OutOfService);

        _rig.Beam(false);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Idle && _rig.Barrier.Position == BarrierPosition.Closed, "the arm down once the passage is clear");
        Assert.Null((await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!.Fault);
    }

    [Fact]
    public async Task ControllerSafetyReversal_IsRecordedAsReversedNotAsAFault()
    {
        var (lane, closing) = await ArmComingDownAsync();

        // Something our beam does not see (a pedestrian at the arm's tip): the controller's own
        // photocell reverses the arm with the relay still released.
        _rig.Mechanics.ObstacleUnderArm = true;
        await _h.UntilAsync(() => _h.Ledger.LastSeq > closing && lane.Snapshot.State == LaneState.Passed, "the lane to see the reversal");

        var events = await _h.EventsAfterAsync(closing);
        var reversed = Assert.Single(events, e => e.Type == EventTypes.BarrierReversed);
        Assert.Equal("controller", reversed.Payload.GetProperty("cause").GetString());
        Assert.DoesNotContain(events, e => e.Type == EventTypes.BarrierFault);
        Assert.False(lane.Snapshot.OutOfService);
        Assert.Equal(1, _rig.Mechanics.SafetyReversals);

        _rig.Mechanics.ObstacleUnderArm = false;
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Idle && _rig.Barrier.Position == BarrierPosition.Closed, "the arm down again");
        Assert.Equal(DeviceState.Ok, _rig.Barrier.GetHealth().State);
    }

    [Fact]
    public async Task StuckArm_IsABarrierFaultAndTakesTheLaneOutOfService()
    {
        var lane = await _h.StartAsync("entry-1", _rig.Devices);
        await AdmitAndPassAsync(lane);
        _rig.Mechanics.Stuck = true;
        var passed = _h.Ledger.LastSeq;

        await _h.UntilAsync(() => lane.Snapshot.OutOfService, "the fault");

        var events = await _h.EventsAfterAsync(passed);
        var fault = Assert.Single(events, e => e.Type == EventTypes.BarrierFault);
        Assert.False(fault.Payload.GetProperty("commandedOpen").GetBoolean());
        Assert.DoesNotContain(events, e => e.Type == EventTypes.BarrierReversed);
        Assert.NotNull((await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!.Fault);
    }

    [Fact]
    public async Task Restart_VehicleUnderTheRaisedArm_TheArmNeverDropsAndClosesOnceItHasGone()
    {
        var lane = await _h.StartAsync("entry-1", _rig.Devices);
        _rig.Loop(true);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.AwaitingCredential, "the vehicle on the loop");
        lane.PresentCode(Pass());
        await _h.UntilAsync(() => _rig.Barrier.Position == BarrierPosition.Open, "the arm up");
        _rig.Beam(true);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Passing, "the vehicle in the passage");

        // Power cut with the car under the arm. The Pi comes back: the arm is still up (the
        // controller holds it), the car still breaks the beam.
        await _h.StopLanesAsync();
        _rig.Dispose();
        _rig = new ArmRig("entry-1", _h.Time, armUp: true, beam: true);
        var cut = _h.Ledger.LastSeq;
        lane = await _h.StartAsync("entry-1", _rig.Devices);
        await _h.ElapseAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(0, _rig.Mechanics.Descents);
        Assert.Equal(BarrierPosition.Open, _rig.Barrier.Position);
        Assert.True(_rig.RelayOpen);
        Assert.Equal(LaneState.Passing, lane.Snapshot.State);
        Assert.Equal([EventTypes.LaneRecovered, EventTypes.BarrierMoved], await _h.GateEventTypesAfterAsync(cut, "entry-1"));

        _rig.Loop(false);
        _rig.Beam(false);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Idle && _rig.Barrier.Position == BarrierPosition.Closed, "the arm down after the car");
        Assert.Equal(1, _rig.Mechanics.Descents);
        Assert.Contains(EventTypes.VehicleEntered, await _h.GateEventTypesAfterAsync(cut, "entry-1"));
    }

    [Fact]
    public async Task ManualGateClose_VehicleInTheBeam_IsRefusedAndRecordedWithoutMovingTheRelay()
    {
        var lane = await _h.StartAsync("entry-1", _rig.Devices);
        using var control = Control(lane);
        var opened = await _h.RunAsync(control.Service.CommandGateAsync("entry-1", open: true, new GateCommandRequest("loop replaced", "alex"), TestContext.Token));
        Assert.True(opened.Done!.Done);
        Assert.Equal(BarrierPosition.Open, _rig.Barrier.Position);
        var writes = _rig.Driver.Writes.Count;
        var before = _h.Ledger.LastSeq;

        _rig.Beam(true);
        await _h.ElapseAsync(TimeSpan.FromMilliseconds(200));
        var closed = await _h.RunAsync(control.Service.CommandGateAsync("entry-1", open: false, new GateCommandRequest("done", "alex"), TestContext.Token));
        await _h.ElapseAsync(TimeSpan.FromSeconds(2));

        Assert.False(closed.Done!.Done);
        Assert.Contains("refused", closed.Done.Fault, StringComparison.Ordinal);
        Assert.Equal(writes, _rig.Driver.Writes.Count);
        Assert.Equal(0, _rig.Mechanics.Descents);
        var events = await _h.EventsAfterAsync(before);
        var audit = Assert.Single(events);
        Assert.Equal(EventTypes.ControlGateCommand, audit.Type);
        Assert.StartsWith("refused", audit.Payload.GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Equal(closed.Done.AuditSeq, audit.Seq);

        // Once the passage is clear the same command goes through: barrier.moved first, then the relay.
        _rig.Beam(false);
        await _h.ElapseAsync(TimeSpan.FromMilliseconds(200));
        var again = _h.Ledger.LastSeq;
        var writesBefore = _rig.Driver.Writes.Count;
        var ledgerAtRelay = -1L;
        _rig.Driver.OutputWritten += (_, _) => ledgerAtRelay = ledgerAtRelay < 0 ? _h.Ledger.LastSeq : ledgerAtRelay;
        var closedNow = await _h.RunAsync(control.Service.CommandGateAsync("entry-1", open: false, new GateCommandRequest("done", "alex"), TestContext.Token));
        Assert.True(closedNow.Done!.Done);
        Assert.True(_rig.Driver.Writes.Count > writesBefore);
        var moved = (await _h.EventsAfterAsync(again))[0];
        Assert.Equal(EventTypes.BarrierMoved, moved.Type);
        Assert.Equal(moved.Seq, ledgerAtRelay);
    }

    /// <summary>A vehicle admitted and through, the hold run out, the arm on its way down; the ledger's seq then.</summary>
    private async Task<(Lane Lane, long Seq)> ArmComingDownAsync()
    {
        var lane = await _h.StartAsync("entry-1", _rig.Devices);
        await AdmitAndPassAsync(lane);
        await _h.UntilAsync(() => _rig.Mechanics.Descents == 1 && _rig.Barrier.Position == BarrierPosition.Moving, "the arm to start down");
        return (lane, _h.Ledger.LastSeq);
    }

    private async Task AdmitAndPassAsync(Lane lane)
    {
        _rig.Loop(true);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.AwaitingCredential, "the vehicle on the loop");
        lane.PresentCode(Pass());
        await _h.UntilAsync(() => _rig.Barrier.Position == BarrierPosition.Open, "the arm up");
        _rig.Beam(true);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Passing, "the vehicle in the passage");
        _rig.Loop(false);
        await _h.ElapseAsync(TimeSpan.FromMilliseconds(300));
        _rig.Beam(false);
        await _h.UntilAsync(() => lane.Snapshot.State == LaneState.Passed, "the vehicle through the beam");
    }

    /// <summary>A reservation pass valid now (the rig has no ticket printer).</summary>
    private string Pass() => _h.Cloud.Pass("BK-" + Guid.NewGuid().ToString("N")[..8], VehicleType.Car, _h.Time.GetUtcNow().AddHours(-1), _h.Time.GetUtcNow().AddHours(3));

    private ControlHost Control(Lane lane)
    {
        var gate = _h.Lot.Gates.Single(g => g.Id == lane.GateId);
        var controlled = ControlledGate.Of(lane, gate);
        var activity = new SensorActivity(_h.Ledger, [controlled], _h.Time);
        var service = new ControlService(
            _h.Ledger, _h.Lot, new AgentIdentity(), [controlled], [], Array.Empty<ISpaceSensor>(), activity, new RecentLogs(_h.Time),
            Microsoft.Extensions.Options.Options.Create(new EdgeOptions()), new ConfigurationBuilder().Build(), _h.Time, NullLogger<ControlService>.Instance);
        return new ControlHost(service, controlled);
    }

    private sealed record ControlHost(ControlService Service, ControlledGate Gate) : IDisposable
    {
        public void Dispose() => Gate.Dispose();
    }
}
