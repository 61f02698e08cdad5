using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Gates;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.PowerCut;

/// <summary>
/// Power-on recovery: a lane cycle cut off at each step is resolved from the ledger's lane row and
/// the sensors as the restarted agent finds them, with a lane.recovered event, never replayed.
/// </summary>
public sealed class LaneRecoveryTests : IAsyncLifetime
{
    private LaneHarness _h = null!;

    public async Task InitializeAsync() => _h = await LaneHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Recover_BarrierOpenNoVehicleAtPowerOn_AbortsVoidsTheTicketAndClosesTheBarrier()
    {
        var ticketId = await CutWhileOpenAsync();
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync();

        var entry = await _h.StartAsync("entry-1");
        await _h.IdleAsync(entry);

        Assert.Equal([EventTypes.LaneRecovered, EventTypes.LaneVehicleWithdrew, EventTypes.BarrierMoved], await _h.GateEventTypesAfterAsync(cut, "entry-1"));
        var recovered = (await _h.EventsAfterAsync(cut))[0];
        Assert.Equal("open", recovered.Payload.GetProperty("previousState").GetString());
        Assert.Equal("aborted", recovered.Payload.GetProperty("resolution").GetString());
        Assert.Equal(SessionStatus.Void, (await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token))!.Status);
        var lane = (await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!;
        Assert.Equal(LaneStep.Idle, lane.State);
        Assert.False(lane.BarrierOpen);
        Assert.Equal(BarrierPosition.Closed, _h.Rig("entry-1").Barrier.Position);
        Assert.Empty(await _h.Ledger.GetGateCountsAsync(TestContext.Token));
    }

    [Fact]
    public async Task Recover_BarrierOpenVehicleStillOnTheLoop_HoldsItOpenAndTheEntryCompletes()
    {
        var ticketId = await CutWhileOpenAsync();
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync(("entry-1", true, false));

        var entry = await _h.StartAsync("entry-1");
        var rig = _h.Rig("entry-1");
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm held open for the waiting vehicle");
        rig.Passage(true);
        await _h.UntilAsync(() => entry.Snapshot.State == LaneState.Passing, "the passage");
        rig.Loop(false);
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        rig.Passage(false);
        await _h.IdleAsync(entry);

        Assert.Equal(
            [EventTypes.LaneRecovered, EventTypes.BarrierMoved, EventTypes.LaneVehiclePassing, EventTypes.VehicleEntered, EventTypes.BarrierMoved],
            await _h.GateEventTypesAfterAsync(cut, "entry-1"));
        Assert.Equal("passageResumed", (await _h.EventsAfterAsync(cut))[0].Payload.GetProperty("resolution").GetString());
        Assert.Equal(SessionStatus.Open, (await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token))!.Status);
        Assert.Equal(1, (await _h.Ledger.GetGateCountsAsync(TestContext.Token)).Sum(c => c.Inside));
        Assert.Empty(rig.Printer!.Tickets);
    }

    [Fact]
    public async Task Recover_VehicleWasInThePassageAndHasGone_RecordsTheEntryAndCloses()
    {
        var ticketId = await CutWhileOpenAsync(intoPassage: true);
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync();

        var entry = await _h.StartAsync("entry-1");
        await _h.IdleAsync(entry);

        Assert.Equal([EventTypes.LaneRecovered, EventTypes.VehicleEntered, EventTypes.BarrierMoved], await _h.GateEventTypesAfterAsync(cut, "entry-1"));
        Assert.Equal("completed", (await _h.EventsAfterAsync(cut))[0].Payload.GetProperty("resolution").GetString());
        Assert.Equal(SessionStatus.Open, (await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token))!.Status);
        Assert.Equal(new GateCount(VehicleType.Car, LaneDecisions.WalkIn, 1), Assert.Single(await _h.Ledger.GetGateCountsAsync(TestContext.Token)));
    }

    [Fact]
    public async Task Recover_VehicleStillInThePassage_HoldsOpenUntilItIsThrough()
    {
        await CutWhileOpenAsync(intoPassage: true);
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync(("entry-1", false, true));

        var entry = await _h.StartAsync("entry-1");
        var rig = _h.Rig("entry-1");
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm held open over the vehicle");
        var stateWhileInPassage = entry.Snapshot.State;
        rig.Passage(false);
        await _h.IdleAsync(entry);

        Assert.Equal(LaneState.Passing, stateWhileInPassage);
        Assert.Equal(
            [EventTypes.LaneRecovered, EventTypes.BarrierMoved, EventTypes.VehicleEntered, EventTypes.BarrierMoved],
            await _h.GateEventTypesAfterAsync(cut, "entry-1"));
    }

    [Fact]
    public async Task Recover_AdmittedButBarrierNeverCommanded_VoidsTheAdmissionAndAsksTheWaitingVehicleAgain()
    {
        // The cut came between lane.admitted and barrier.moved: written by hand, as no running lane stops there.
        var now = _h.Time.GetUtcNow();
        await _h.Ledger.AppendAsync(EventTypes.LaneVehicleDetected, new LaneVehicleDetected("entry-1", "C1"));
        await _h.Ledger.AppendAsync(EventTypes.LaneCredentialChecked, new LaneCredentialChecked("entry-1", "C1", CredentialKind.None, null, "request", true, "Ticket requested."));
        await _h.Ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued("T1", "entry-1", VehicleType.Car, now, _h.Signer.Sign("T1", VehicleType.Car, now)));
        await _h.Ledger.AppendAsync(EventTypes.LaneAdmitted, new LaneAdmitted("entry-1", "C1", "T1", VehicleType.Car, CredentialKind.Ticket, "T1", LaneDecisions.WalkIn));
        Assert.Equal(1, await _h.Ledger.GetWalkInOccupancyAsync(VehicleType.Car, TestContext.Token));
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync(("entry-1", true, false));

        var entry = await _h.StartAsync("entry-1");
        await _h.UntilAsync(() => entry.Snapshot.State == LaneState.AwaitingCredential, "a new cycle for the waiting vehicle");

        Assert.Equal([EventTypes.LaneRecovered, EventTypes.LaneVehicleWithdrew, EventTypes.LaneVehicleDetected], await _h.GateEventTypesAfterAsync(cut, "entry-1"));
        Assert.Equal("admissionVoided", (await _h.EventsAfterAsync(cut))[0].Payload.GetProperty("resolution").GetString());
        Assert.Equal(SessionStatus.Void, (await _h.Ledger.GetSessionAsync("T1", TestContext.Token))!.Status);
        Assert.Equal(0, await _h.Ledger.GetWalkInOccupancyAsync(VehicleType.Car, TestContext.Token));
        Assert.Equal(BarrierPosition.Closed, _h.Rig("entry-1").Barrier.Position);
        Assert.Empty(_h.Rig("entry-1").Printer!.Tickets);
    }

    [Fact]
    public async Task Recover_RefusedVehicleGone_AbandonsTheCycle()
    {
        var entry = await _h.StartAsync("entry-1");
        var rig = _h.Rig("entry-1");
        rig.Loop(true);
        await _h.UntilAsync(() => entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle");
        entry.PresentCode("PL1.garbage");
        await _h.UntilAsync(() => entry.Snapshot.State == LaneState.Refused, "the refusal");
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync();

        var restarted = await _h.StartAsync("entry-1");

        Assert.Equal([EventTypes.LaneRecovered, EventTypes.LaneVehicleWithdrew], await _h.GateEventTypesAfterAsync(cut, "entry-1"));
        Assert.Equal("cycleAbandoned", (await _h.EventsAfterAsync(cut))[0].Payload.GetProperty("resolution").GetString());
        Assert.Equal(LaneState.Idle, restarted.Snapshot.State);
    }

    [Fact]
    public async Task Recover_ExitWasInThePassageAndHasGone_RecordsTheExitWithItsFee()
    {
        var entry = await _h.StartAsync("entry-1");
        var visit = await _h.VisitAsync(entry, l => l.RequestTicket(VehicleType.Car));
        var code = (await _h.Ledger.GetSessionAsync(visit.Snapshot.TicketId!, TestContext.Token))!.Code!;
        _h.Time.Advance(TimeSpan.FromMinutes(50));
        await _h.PayAsync(visit.Snapshot.TicketId!, 400);
        var exit = await _h.StartAsync("exit-1");
        var rig = _h.Rig("exit-1");
        rig.Loop(true);
        await _h.UntilAsync(() => exit.Snapshot.State == LaneState.AwaitingCredential, "the vehicle at the exit");
        exit.PresentCode(code);
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm");
        rig.Passage(true);
        await _h.UntilAsync(() => exit.Snapshot.State == LaneState.Passing, "the passage");
        var cut = _h.Ledger.LastSeq;
        await _h.PowerCutAsync();

        var restarted = await _h.StartAsync("exit-1");
        await _h.IdleAsync(restarted);

        Assert.Equal([EventTypes.LaneRecovered, EventTypes.VehicleExited, EventTypes.BarrierMoved], await _h.GateEventTypesAfterAsync(cut, "exit-1"));
        var exited = (await _h.EventsAfterAsync(cut)).Single(e => e.Type == EventTypes.VehicleExited);
        Assert.Equal(400, exited.Payload.GetProperty("fee").GetProperty("minor").GetInt64());
        Assert.Equal(SessionStatus.Closed, (await _h.Ledger.GetSessionAsync(visit.Snapshot.TicketId!, TestContext.Token))!.Status);
        Assert.Empty(await _h.Ledger.GetGateCountsAsync(TestContext.Token));
    }

    [Fact]
    public async Task Recover_IdleLaneWithAnOpenFault_StaysOutOfServiceUntilReset()
    {
        await _h.Ledger.AppendAsync(EventTypes.BarrierFault, new BarrierFault("entry-1", null, true, "unknown", "open position not reached within 6 s"));
        var cut = _h.Ledger.LastSeq;

        var entry = await _h.StartAsync("entry-1");
        var refused = await _h.VisitAsync(entry, l => l.RequestTicket(VehicleType.Car));

        Assert.True(entry.Snapshot.OutOfService);
        Assert.False(refused.Passed);
        Assert.Equal(LaneDecisions.OutOfService, refused.Snapshot.LastDecision);
        Assert.DoesNotContain(EventTypes.LaneRecovered, await _h.GateEventTypesAfterAsync(cut, "entry-1"));
    }

    /// <summary>Runs a walk-in until the arm is up (and the car in the passage), then cuts the power.</summary>
    private async Task<string> CutWhileOpenAsync(bool intoPassage = false)
    {
        var entry = await _h.StartAsync("entry-1");
        var rig = _h.Rig("entry-1");
        rig.Loop(true);
        await _h.UntilAsync(() => entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle");
        entry.RequestTicket(VehicleType.Car);
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm");
        if (intoPassage)
        {
            rig.Passage(true);
            await _h.UntilAsync(() => entry.Snapshot.State == LaneState.Passing, "the passage");
        }

        var lane = (await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!;
        Assert.True(lane.BarrierOpen);
        Assert.Equal(intoPassage ? LaneStep.Passing : LaneStep.Open, lane.State);
        return entry.Snapshot.TicketId!;
    }
}
