using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

/// <summary>Everything a lane reacts to.</summary>
internal abstract record LaneInput;

internal sealed record LoopChanged(bool Active) : LaneInput;

internal sealed record PassageChanged(bool Active) : LaneInput;

internal sealed record CodeScanned(string Code) : LaneInput
{
    // A code is a credential: keep it out of logs and exception messages.
    public override string ToString() => "CodeScanned { Code = *** }";
}

internal sealed record PermitPresented(PermitCard Card) : LaneInput;

internal sealed record TicketRequested(VehicleType VehicleType) : LaneInput;

internal sealed record LostTicketDeclared(VehicleType VehicleType) : LaneInput;

internal sealed record PaymentSeen(string TicketId) : LaneInput;

internal sealed record BarrierDone(bool Open, BarrierOutcome Outcome, int Command) : LaneInput;

internal sealed record WithdrawTimerElapsed(string? CycleId) : LaneInput;

internal sealed record ResetRequested(string Reason) : LaneInput;

internal sealed record PassedLoopChanged(bool Active) : LaneInput;

/// <summary>The passage (beam and loop B) has been clear since <see cref="Generation"/> was armed.</summary>
internal sealed record ClearHoldElapsed(int Generation) : LaneInput;

/// <summary>A technician's <c>gate open</c> / <c>gate close</c>, through the lane and its interlock.</summary>
internal sealed record ManualGateRequested(bool Open, string Actor, TaskCompletionSource<ManualGateResult> Done) : LaneInput;

/// <summary>The self-test's open-and-close cycle of the arm, through the lane and its interlock.</summary>
internal sealed record SelfTestRequested(string Actor, TaskCompletionSource<SelfTestCycle> Done) : LaneInput;

/// <summary>
/// What became of a manual gate command: <see cref="Refusal"/> when the interlock refused it (the
/// relay did not move), else the barrier's outcome.
/// </summary>
internal sealed record ManualGateResult(BarrierOutcome? Outcome, string? Refusal)
{
    public bool Refused => Refusal is not null;
}

/// <summary>The self-test's arm cycle: both moves, or why the arm was not cycled.</summary>
internal sealed record SelfTestCycle(BarrierOutcome? Opened, BarrierOutcome? Closed, string? NotCycled);
