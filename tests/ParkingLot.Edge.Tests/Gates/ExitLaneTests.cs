using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>The exit lane: fee by the shared tariff engine, paid / prepaid / grace / permit / refused with the fee, lost ticket, bad codes.</summary>
public sealed class ExitLaneTests : IAsyncLifetime
{
    private LaneHarness _h = null!;
    private Lane _entry = null!;
    private Lane _exit = null!;

    public async Task InitializeAsync()
    {
        _h = await LaneHarness.CreateAsync();
        _entry = await _h.StartAsync("entry-1");
        _exit = await _h.StartAsync("exit-1");
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Ticket_UnpaidAfterTwoHours_RefusedWithTheFeeThenOpensOnceThePaymentIsInTheLedger()
    {
        var (ticketId, code, entered) = await WalkInAsync();

        // Just under two hours: the seconds the exit takes stay inside the eighth 15-minute increment.
        _h.Time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromMinutes(1));
        var rig = _h.Rig("exit-1");
        var before = _h.Ledger.LastSeq;

        rig.Loop(true);
        await _h.UntilAsync(() => _exit.Snapshot.State == LaneState.AwaitingCredential, "the vehicle at the exit");
        _exit.PresentCode(code);
        await _h.UntilAsync(() => _exit.Snapshot.State == LaneState.Refused, "the fee");
        var display = _h.DisplayText("exit-1");
        var due = _exit.Snapshot.FeeDue!.Value;
        await _h.PayAsync(ticketId, due.Minor, PaymentMethod.Cash);
        await _h.UntilAsync(() => rig.Barrier.Position == BarrierPosition.Open, "the arm to go up after payment");
        var paidDisplay = _h.DisplayText("exit-1");
        rig.Passage(true);
        await _h.UntilAsync(() => _exit.Snapshot.State == LaneState.Passing, "the passage");
        rig.Loop(false);
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        rig.Passage(false);
        await _h.IdleAsync(_exit);

        var expected = TariffEngine.Quote(_h.Lot.Tariff, VehicleType.Car, entered, entered.AddHours(2)).Total;
        Assert.Equal(800, expected.Minor);
        Assert.Equal(expected, due);
        Assert.Contains("Fee to pay", display, StringComparison.Ordinal);
        Assert.Contains("8.00", display, StringComparison.Ordinal);
        Assert.Contains("Paid", paidDisplay, StringComparison.Ordinal);
        Assert.Equal(
            [EventTypes.LaneVehicleDetected, EventTypes.LaneCredentialChecked, EventTypes.LaneRefused, EventTypes.LaneAdmitted, EventTypes.BarrierMoved,
             EventTypes.LaneVehiclePassing, EventTypes.VehicleExited, EventTypes.BarrierMoved],
            await _h.GateEventTypesAfterAsync(before, "exit-1"));
        var session = await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token);
        Assert.Equal(SessionStatus.Closed, session!.Status);
        Assert.Equal(expected, session.Fee);
        Assert.Empty(await _h.Ledger.GetGateCountsAsync(TestContext.Token));
    }

    [Fact]
    public async Task Ticket_PaidAtTheKioskWithinGrace_Opens_AfterGraceTheExtraIsDue()
    {
        var (ticketId, code, entered) = await WalkInAsync();
        _h.Time.Advance(TimeSpan.FromHours(1));
        var fee = TariffEngine.Quote(_h.Lot.Tariff, VehicleType.Car, entered, _h.Time.GetUtcNow()).Total;
        await _h.PayAsync(ticketId, fee.Minor);
        _h.Time.Advance(TimeSpan.FromMinutes(10));

        var withinGrace = await _h.VisitAsync(_exit, l => l.PresentCode(code));

        Assert.True(withinGrace.Passed);
        Assert.Equal(LaneDecisions.Paid, withinGrace.Snapshot.LastDecision);

        var (ticket2, code2, entered2) = await WalkInAsync();
        _h.Time.Advance(TimeSpan.FromHours(1));
        var fee2 = TariffEngine.Quote(_h.Lot.Tariff, VehicleType.Car, entered2, _h.Time.GetUtcNow()).Total;
        await _h.PayAsync(ticket2, fee2.Minor);
        _h.Time.Advance(TimeSpan.FromMinutes(40));
        var lateExit = await _h.VisitAsync(_exit, l => l.PresentCode(code2));

        Assert.False(lateExit.Passed);
        Assert.Equal(LaneDecisions.FeeDue, lateExit.Snapshot.LastDecision);
        var total = TariffEngine.Quote(_h.Lot.Tariff, VehicleType.Car, entered2, _h.Time.GetUtcNow()).Total;
        Assert.Equal(total - fee2, lateExit.Snapshot.FeeDue);
    }

    [Fact]
    public async Task Ticket_WithinFreeMinutes_OpensWithoutPayment()
    {
        var (ticketId, code, _) = await WalkInAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(10));

        var visit = await _h.VisitAsync(_exit, l => l.PresentCode(code));

        Assert.True(visit.Passed);
        Assert.Equal(LaneDecisions.Free, visit.Snapshot.LastDecision);
        Assert.Empty(await _h.Ledger.GetPaymentsAsync(TestContext.Token));
        Assert.Equal(0, (await _h.Ledger.GetSessionAsync(ticketId, TestContext.Token))!.Fee!.Value.Minor);
    }

    [Fact]
    public async Task Ticket_UsedTwice_SecondExitRefused()
    {
        var (_, code, _) = await WalkInAsync();
        Assert.True((await _h.VisitAsync(_exit, l => l.PresentCode(code))).Passed);

        var again = await _h.VisitAsync(_exit, l => l.PresentCode(code));

        Assert.False(again.Passed);
        Assert.Equal(LaneDecisions.NotInside, again.Snapshot.LastDecision);
        Assert.Contains("already used", again.Snapshot.LastDetail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadTickets => new()
    {
        { "forged", "forged or altered" },
        { "altered", "forged or altered" },
        { "foreign", "is for lot other-lot" },
        { "unknownKey", "key this gate does not know" },
    };

    [Theory]
    [MemberData(nameof(BadTickets))]
    public async Task Ticket_BadCode_IsRefusedWithTheReason(string kind, string reason)
    {
        var (_, code, _) = await WalkInAsync();
        var now = _h.Time.GetUtcNow();
        using var otherLot = Edge.Gates.TicketSigner.LoadOrCreate(Path.Combine(_h.DataDirectory, "other"), "other-lot", out _);
        _h.Keys.Trust(otherLot.KeyId, otherLot.PublicKey, CredentialKinds.Ticket);
        var bad = kind switch
        {
            "forged" => EntryLaneTests.ForgedCode(_h.Signer.KeyId, now),
            "altered" => EntryLaneTests.AlterOneCharacter(code),
            "foreign" => otherLot.Sign("T0BADC0FFEE", VehicleType.Car, now),
            _ => EntryLaneTests.ForgedCode("edge-other-lot-00000000", now),
        };
        var before = _h.Ledger.LastSeq;

        var visit = await _h.VisitAsync(_exit, l => l.PresentCode(bad));

        Assert.False(visit.Passed);
        Assert.Equal(LaneDecisions.InvalidCredential, visit.Snapshot.LastDecision);
        Assert.Contains(reason, visit.Snapshot.LastDetail, StringComparison.Ordinal);
        Assert.DoesNotContain(await _h.EventsAfterAsync(before), e => e.Type is EventTypes.LaneAdmitted or EventTypes.VehicleExited or EventTypes.BarrierMoved);
    }

    [Fact]
    public async Task LostTicket_FeeByTheLostTicketRule_PaidAtTheLane_OpensAndCountsTheVehicleOut()
    {
        await WalkInAsync();
        _h.Time.Advance(TimeSpan.FromHours(3));
        var expected = TariffEngine.LostTicket(_h.Lot.Tariff, VehicleType.Car, null, _h.Time.GetUtcNow()).Total;
        var before = _h.Ledger.LastSeq;

        var visit = await _h.VisitAsync(
            _exit,
            l => l.DeclareLostTicket(VehicleType.Car),
            async (refused, _) =>
            {
                Assert.Equal(expected, refused.FeeDue);
                await _h.PayAsync(refused.AwaitingPaymentFor!, refused.FeeDue!.Value.Minor);
                return true;
            });

        Assert.True(visit.Passed);
        Assert.Equal(LaneDecisions.LostTicketPaid, visit.Snapshot.LastDecision);
        Assert.Equal(3000, expected.Minor);
        var exited = Assert.Single(await _h.EventsAfterAsync(before), e => e.Type == EventTypes.VehicleExited);
        Assert.Equal(3000, exited.Payload.GetProperty("fee").GetProperty("minor").GetInt64());
        Assert.StartsWith("L", exited.Payload.GetProperty("ticketId").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _h.Ledger.GetGateCountsAsync(TestContext.Token));
    }

    [Fact]
    public async Task Pass_InsideItsWindow_IsPrepaid_AfterItsWindowTheOverstayIsDue()
    {
        var now = _h.Time.GetUtcNow();
        var pass = _h.Cloud.Pass("BK-10", VehicleType.Car, now.AddMinutes(-5), now.AddHours(2));
        var late = _h.Cloud.Pass("BK-11", VehicleType.Car, now.AddMinutes(-5), now.AddHours(1));
        Assert.True((await _h.VisitAsync(_entry, l => l.PresentCode(pass))).Passed);
        Assert.True((await _h.VisitAsync(_entry, l => l.PresentCode(late))).Passed);
        _h.Time.Advance(TimeSpan.FromMinutes(90));

        var prepaid = await _h.VisitAsync(_exit, l => l.PresentCode(pass));
        var overstay = await _h.VisitAsync(_exit, l => l.PresentCode(late));

        Assert.True(prepaid.Passed);
        Assert.Equal(LaneDecisions.Prepaid, prepaid.Snapshot.LastDecision);
        Assert.False(overstay.Passed);
        Assert.Equal(LaneDecisions.FeeDue, overstay.Snapshot.LastDecision);
        Assert.Contains("Pass expired at", overstay.Snapshot.LastDetail, StringComparison.Ordinal);
        Assert.Equal(TariffEngine.Quote(_h.Lot.Tariff, VehicleType.Car, now.AddHours(1), _h.Time.GetUtcNow()).Total, overstay.Snapshot.FeeDue);
    }

    [Fact]
    public async Task Permit_Inside_Leaves_NotInside_IsRefused()
    {
        var (uid, permit) = _h.Cloud.PermitCards.First(c => c.Permit.VehicleType == VehicleType.Ev);
        var other = _h.Cloud.PermitCards.First(c => c.Permit.VehicleType == VehicleType.Car);
        var entryRig = _h.Rig("entry-1");
        var exitRig = _h.Rig("exit-1");
        Assert.True((await _h.VisitAsync(_entry, _ => entryRig.PermitReader.Present(Convert.FromHexString(uid)))).Passed);
        entryRig.PermitReader.Remove();

        var leaves = await _h.VisitAsync(_exit, _ => exitRig.PermitReader.Present(Convert.FromHexString(uid)));
        exitRig.PermitReader.Remove();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var notInside = await _h.VisitAsync(_exit, _ => exitRig.PermitReader.Present(Convert.FromHexString(other.Uid)));
        exitRig.PermitReader.Remove();

        Assert.True(leaves.Passed);
        Assert.Equal(LaneDecisions.Permit, leaves.Snapshot.LastDecision);
        Assert.Null(await _h.Ledger.GetInsideTicketAsync(CredentialKind.Permit, permit.PermitId, TestContext.Token));
        Assert.False(notInside.Passed);
        Assert.Equal(LaneDecisions.NotInside, notInside.Snapshot.LastDecision);
    }

    private async Task<(string TicketId, string Code, DateTimeOffset Entered)> WalkInAsync()
    {
        var visit = await _h.VisitAsync(_entry, l => l.RequestTicket(VehicleType.Car));
        Assert.True(visit.Passed, visit.Snapshot.LastDetail);
        var session = (await _h.Ledger.GetSessionAsync(visit.Snapshot.TicketId!, TestContext.Token))!;
        return (session.TicketId, session.Code!, session.EnteredAt!.Value);
    }
}
