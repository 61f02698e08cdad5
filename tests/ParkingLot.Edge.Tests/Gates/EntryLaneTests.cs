using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>
/// The entry lane's transitions, each asserted through the ledger events it writes, the display text
/// and the barrier as the limit switches report it, on simulated hardware driven through the real drivers.
/// </summary>
public sealed class EntryLaneTests : IAsyncLifetime
{
    private LaneHarness _h = null!;
    private Lane _entry = null!;

    public async Task InitializeAsync()
    {
        _h = await LaneHarness.CreateAsync();
        _entry = await _h.StartAsync("entry-1");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task WalkIn_TicketButton_RecordsEveryStepPrintsASignedTicketOpensAndClosesAfterPassage()
    {
        var rig = _h.Rig("entry-1");
        var before = _h.Ledger.LastSeq;

        rig.Loop(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle to be detected");
        Assert.Contains("Welcome", _h.DisplayText("entry-1"), StringComparison.Ordinal);
        _entry.RequestTicket(VehicleType.Car);
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm to go up");
        Assert.Contains("Take your ticket", _h.DisplayText("entry-1"), StringComparison.Ordinal);
        Assert.True(rig.RelayOpen);
        rig.Passage(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Passing, "the vehicle in the passage");
        rig.Loop(false);
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        rig.Passage(false);
        await _h.IdleAsync(_entry);

        Assert.Equal(
            [EventTypes.LaneVehicleDetected, EventTypes.LaneCredentialChecked, EventTypes.TicketIssued, EventTypes.LaneAdmitted, EventTypes.BarrierMoved,
             EventTypes.LaneVehiclePassing, EventTypes.VehicleEntered, EventTypes.BarrierMoved],
            await _h.GateEventTypesAfterAsync(before, "entry-1"));
        Assert.False(rig.RelayOpen);
        var ticket = Assert.Single(rig.Printer!.Tickets);
        var code = Assert.Single(ticket.QrCodes);
        var check = _h.Keys.Verify(code, _h.Lot.LotId, _h.Context.Interval(_h.Time.GetUtcNow()));
        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(CredentialKind.Ticket, check.Credential!.Kind);
        var session = await _h.Ledger.GetSessionAsync(check.Credential.Id, TestContext.Token);
        Assert.Equal(SessionStatus.Open, session!.Status);
        Assert.Equal(code, session.Code);
        Assert.Equal(new GateCount(VehicleType.Car, LaneDecisions.WalkIn, 1), Assert.Single(await _h.Ledger.GetGateCountsAsync(TestContext.Token)));
        Assert.Equal(LaneStep.Idle, (await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!.State);
    }

    [Fact]
    public async Task WalkIn_ShareReached_RefusesLotFullOnTheDisplayButAdmitsAPassHolder()
    {
        // 4 car spots, 1 reservable by the cloud: 3 walk-ins (I2).
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car))).Passed);
        }

        var before = _h.Ledger.LastSeq;
        var full = await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car));
        var fullText = full.Snapshot.LastDetail;
        var pass = _h.Cloud.Pass("BK-1", VehicleType.Car, _h.Time.GetUtcNow().AddHours(-1), _h.Time.GetUtcNow().AddHours(3));
        var passHolder = await _h.VisitAsync(_entry, l => l.PresentCode(pass));

        Assert.False(full.Passed);
        Assert.Equal(LaneDecisions.LotFull, full.Snapshot.LastDecision);
        Assert.Contains("3/3", fullText, StringComparison.Ordinal);
        Assert.True(passHolder.Passed);
        var types = await _h.GateEventTypesAfterAsync(before, "entry-1");
        Assert.Equal([EventTypes.LaneVehicleDetected, EventTypes.LaneCredentialChecked, EventTypes.LaneRefused, EventTypes.LaneVehicleWithdrew], types.Take(4));
        Assert.Contains(await _h.Ledger.GetGateCountsAsync(TestContext.Token), c => c is { Basis: LaneDecisions.Pass, Inside: 1 });
        Assert.NotNull(await _h.Ledger.GetInsideTicketAsync(CredentialKind.Pass, "BK-1", TestContext.Token));
    }

    [Fact]
    public async Task WalkIn_FullScreen_ShowsLotFull()
    {
        for (var i = 0; i < 3; i++)
        {
            await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car));
        }

        var rig = _h.Rig("entry-1");
        rig.Loop(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle to be detected");
        _entry.RequestTicket(VehicleType.Car);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Refused, "the refusal");

        Assert.Contains("Lot full", _h.DisplayText("entry-1"), StringComparison.Ordinal);
        Assert.Equal(BarrierPosition.Closed, rig.Barrier.Position);
        rig.Loop(false);
        await _h.IdleAsync(_entry);
        Assert.Contains("Welcome", _h.DisplayText("entry-1"), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadPasses => new()
    {
        { "forged", "forged or altered" },
        { "altered", "forged or altered" },
        { "foreign", "is for lot other-lot" },
        { "expired", "expired at" },
        { "unknownKey", "key this gate does not know" },
        { "garbage", "" },
        { "ticket", "Paper tickets are for the exit" },
    };

    [Theory]
    [MemberData(nameof(BadPasses))]
    public async Task Pass_InvalidCode_IsRefusedWithTheVerifiersReasonOnTheDisplay(string kind, string reason)
    {
        var now = _h.Time.GetUtcNow();
        var code = kind switch
        {
            "forged" => ForgedCode(_h.Cloud.KeyId, now),
            "altered" => AlterOneCharacter(_h.Cloud.Pass("BK-7", VehicleType.Car, now.AddHours(-1), now.AddHours(2))),
            "foreign" => _h.Cloud.Pass("BK-7", VehicleType.Car, now.AddHours(-1), now.AddHours(2), lotId: "other-lot"),
            "expired" => _h.Cloud.Pass("BK-7", VehicleType.Car, now.AddHours(-5), now.AddHours(-2)),
            "unknownKey" => ForgedCode("someone-else", now),
            "garbage" => "PL1.not-a-code",
            _ => _h.Signer.Sign("T0001", VehicleType.Car, now),
        };
        var before = _h.Ledger.LastSeq;

        var visit = await _h.VisitAsync(_entry, l => l.PresentCode(code));

        Assert.False(visit.Passed);
        Assert.Equal(LaneDecisions.InvalidCredential, visit.Snapshot.LastDecision);
        Assert.Contains(reason, visit.Snapshot.LastDetail, StringComparison.Ordinal);
        var events = await _h.EventsAfterAsync(before);
        var checkedEvent = Assert.Single(events, e => e.Type == EventTypes.LaneCredentialChecked);
        Assert.False(checkedEvent.Payload.GetProperty("accepted").GetBoolean());
        var refused = Assert.Single(events, e => e.Type == EventTypes.LaneRefused);
        Assert.Equal(visit.Snapshot.LastDetail, refused.Payload.GetProperty("detail").GetString());
        Assert.DoesNotContain(events, e => e.Type is EventTypes.LaneAdmitted or EventTypes.BarrierMoved);
        Assert.DoesNotContain(events, e => e.Payload.GetRawText().Contains(code, StringComparison.Ordinal));
        Assert.Equal(BarrierPosition.Closed, _h.Rig("entry-1").Barrier.Position);
    }

    [Fact]
    public async Task Pass_InvalidCode_ShowsPassRefusedAndTheReason()
    {
        var rig = _h.Rig("entry-1");
        var now = _h.Time.GetUtcNow();
        rig.Loop(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle to be detected");
        _entry.PresentCode(_h.Cloud.Pass("BK-8", VehicleType.Car, now.AddHours(-5), now.AddHours(-2)));
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Refused, "the refusal");

        var text = _h.DisplayText("entry-1");
        Assert.Contains("Pass refused", text, StringComparison.Ordinal);
        Assert.Contains("Pass expired at", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Permit_SecondEntryWhileInside_IsRefusedByAntiPassback()
    {
        var (uid, permit) = _h.Cloud.PermitCards.First(c => c.Permit.VehicleType == VehicleType.Car);
        var rig = _h.Rig("entry-1");

        var first = await _h.VisitAsync(_entry, _ => rig.PermitReader.Present(Convert.FromHexString(uid)));
        rig.PermitReader.Remove();
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Idle, "the lane to be free");
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await _h.VisitAsync(_entry, _ => rig.PermitReader.Present(Convert.FromHexString(uid)));
        rig.PermitReader.Remove();

        Assert.True(first.Passed);
        Assert.Equal(LaneDecisions.Permit, first.Snapshot.LastDecision);
        Assert.False(second.Passed);
        Assert.Equal(LaneDecisions.AntiPassback, second.Snapshot.LastDecision);
        Assert.Equal(first.Snapshot.TicketId, await _h.Ledger.GetInsideTicketAsync(CredentialKind.Permit, permit.PermitId, TestContext.Token));
    }

    [Fact]
    public async Task Permit_UnknownCard_IsRefused()
    {
        var rig = _h.Rig("entry-1");

        var visit = await _h.VisitAsync(_entry, _ => rig.PermitReader.Present([0xDE, 0xAD, 0xBE, 0xEF]));
        rig.PermitReader.Remove();

        Assert.False(visit.Passed);
        Assert.Equal(LaneDecisions.InvalidCredential, visit.Snapshot.LastDecision);
        Assert.Contains("not a permit", visit.Snapshot.LastDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PaperOut_WalkInRefusedWithHelpOnTheDisplayOneFaultRecorded_PassHolderStillEnters()
    {
        var rig = _h.Rig("entry-1");
        rig.Printer!.PaperOut = true;
        var before = _h.Ledger.LastSeq;

        var first = await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car));
        rig.Loop(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.AwaitingCredential, "the second walk-in");
        _entry.RequestTicket(VehicleType.Car);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Refused, "the refusal");
        var display = _h.DisplayText("entry-1");
        rig.Loop(false);
        await _h.IdleAsync(_entry);
        var now = _h.Time.GetUtcNow();
        var passHolder = await _h.VisitAsync(_entry, l => l.PresentCode(_h.Cloud.Pass("BK-2", VehicleType.Car, now.AddHours(-1), now.AddHours(1))));

        Assert.False(first.Passed);
        Assert.Equal(LaneDecisions.NoTickets, first.Snapshot.LastDecision);
        Assert.Contains("press Help", display, StringComparison.Ordinal);
        var faults = (await _h.EventsAfterAsync(before)).Where(e => e.Type == EventTypes.GateFault).ToList();
        var fault = Assert.Single(faults);
        Assert.Contains("PaperOut", fault.Payload.GetProperty("fault").GetString(), StringComparison.Ordinal);
        Assert.True(passHolder.Passed);
        Assert.Empty(rig.Printer.Tickets);
        Assert.DoesNotContain(await _h.Ledger.GetGateCountsAsync(TestContext.Token), c => c.Basis == LaneDecisions.WalkIn);
    }

    [Fact]
    public async Task Tailgate_SecondVehicleInThePassageBeforeTheArmIsDown_IsRecordedAndCounted()
    {
        var before = _h.Ledger.LastSeq;

        var visit = await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car), tailgater: true);
        await _h.IdleAsync(_entry);

        Assert.True(visit.Passed);
        var tailgate = Assert.Single(await _h.EventsAfterAsync(before), e => e.Type == EventTypes.LaneTailgate);
        Assert.True(tailgate.Payload.GetProperty("entry").GetBoolean());
        Assert.Equal(1, _entry.Snapshot.Tailgates);
        var counts = await _h.Ledger.GetGateCountsAsync(TestContext.Token);
        Assert.Equal(2, counts.Where(c => c.VehicleType == VehicleType.Car).Sum(c => c.Inside));
        Assert.Contains(counts, c => c is { Basis: "tailgate", Inside: 1 });
        Assert.Equal(2, await _h.Ledger.GetWalkInOccupancyAsync(VehicleType.Car, TestContext.Token));
        Assert.Equal(1, (await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!.Tailgates);
    }

    [Fact]
    public async Task BarrierFault_ArmStuck_RecordsTheFaultCommandsItDownRefusesUntilReset()
    {
        var rig = _h.Rig("entry-1");
        rig.Mechanics.Stuck = true;
        var before = _h.Ledger.LastSeq;

        rig.Loop(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle to be detected");
        _entry.RequestTicket(VehicleType.Car);
        await _h.UntilAsync(() => _entry.Snapshot.OutOfService, "the barrier fault", TimeSpan.FromSeconds(20));
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Refused, "the refusal of the admitted vehicle");
        var display = _h.DisplayText("entry-1");
        var relayAfterFault = rig.RelayOpen;
        var ticketId = _entry.Snapshot.TicketId!;
        rig.Loop(false);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.Idle, "the vehicle to back away");
        var refusedWhileFaulted = await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car));

        rig.Mechanics.Stuck = false;
        _entry.Reset("arm freed by technician");
        await _h.UntilAsync(() => !_entry.Snapshot.OutOfService, "the reset");
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Closed || rig.Barrier.Position == BarrierPosition.Unknown, "the arm");
        var afterReset = await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car));

        var events = await _h.EventsAfterAsync(before);
        var fault = Assert.Single(events, e => e.Type == EventTypes.BarrierFault && e.Payload.GetProperty("commandedOpen").GetBoolean());
        Assert.Contains("open position not reached", fault.Payload.GetProperty("fault").GetString(), StringComparison.Ordinal);
        Assert.Contains("Out of order", display, StringComparison.Ordinal);
        Assert.False(relayAfterFault);
        Assert.Equal(SessionStatus.Void, (await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token))!.Status);
        Assert.False(refusedWhileFaulted.Passed);
        Assert.Equal(LaneDecisions.OutOfService, refusedWhileFaulted.Snapshot.LastDecision);
        Assert.Contains(events, e => e.Type == EventTypes.LaneReset);
        Assert.True(afterReset.Passed);
        Assert.Null((await _h.Ledger.GetLaneAsync("entry-1", TestContext.Token))!.Fault);
    }

    [Fact]
    public async Task Withdraw_VehicleBacksAwayWithTheArmUp_VoidsTheTicketAndCloses()
    {
        var rig = _h.Rig("entry-1");
        var before = _h.Ledger.LastSeq;
        rig.Loop(true);
        await _h.UntilAsync(() => _entry.Snapshot.State == LaneState.AwaitingCredential, "the vehicle to be detected");
        _entry.RequestTicket(VehicleType.Car);
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm to go up");
        var ticketId = _entry.Snapshot.TicketId!;

        rig.Loop(false);
        await _h.IdleAsync(_entry);

        var types = await _h.GateEventTypesAfterAsync(before, "entry-1");
        Assert.Equal([EventTypes.LaneVehicleWithdrew, EventTypes.BarrierMoved], types.TakeLast(2));
        Assert.Equal(SessionStatus.Void, (await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token))!.Status);
        Assert.Empty(await _h.Ledger.GetGateCountsAsync(TestContext.Token));
        Assert.Equal(0, await _h.Ledger.GetWalkInOccupancyAsync(VehicleType.Car, TestContext.Token));
    }

    [Fact]
    public async Task Pass_ScannedJustBeforeTheLoop_CountsForTheArrivingVehicle()
    {
        var now = _h.Time.GetUtcNow();
        var pass = _h.Cloud.Pass("BK-3", VehicleType.Ev, now.AddHours(-1), now.AddHours(1));
        var rig = _h.Rig("entry-1");

        _entry.PresentCode(pass);
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        rig.Loop(true);
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm to go up");

        Assert.Equal(LaneDecisions.Pass, _entry.Snapshot.LastDecision);
    }

    internal static string AlterOneCharacter(string code)
    {
        // Change one character near the end of the payload (between "PL1." and the signature), where
        // the ticket or booking id is, keeping it base64url: what someone editing a code would try.
        var i = code.IndexOf('.', 4) - 3;
        var replacement = code[i] == 'A' ? 'B' : 'A';
        return code[..i] + replacement + code[(i + 1)..];
    }

    internal static string ForgedCode(string keyId, DateTimeOffset now)
    {
        using var key = CredentialKeys.CreateKeyPair();
        return new CredentialSigner(keyId, key, CredentialKinds.Cloud).Sign(new Credential(CredentialKind.Pass, "test-lot", "BK-7", VehicleType.Car, null, now.AddHours(-1), now.AddHours(2), 1));
    }
}
