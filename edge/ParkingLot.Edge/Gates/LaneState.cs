using ParkingLot.Shared;

namespace ParkingLot.Edge.Gates;

/// <summary>Where a lane's cycle stands in memory (the ledger's <c>lanes</c> row says the same after every step).</summary>
internal enum LaneState
{
    /// <summary>Barrier closed, no vehicle on the loop.</summary>
    Idle,

    /// <summary>A vehicle is on the loop; waiting for a code, a card or a ticket request.</summary>
    AwaitingCredential,

    /// <summary>Refused, with the reason on the display; a new credential or a payment may still admit the vehicle.</summary>
    Refused,

    /// <summary>Barrier commanded open for the admitted vehicle, which has not reached the passage yet.</summary>
    Open,

    /// <summary>The admitted vehicle is in the passage.</summary>
    Passing,

    /// <summary>
    /// The vehicle passed; the barrier stays up until the passage beam and loop B have both been clear
    /// for <see cref="LaneOptions.ClearHold"/> (a trailer behind its car keeps it up).
    /// </summary>
    Passed,

    /// <summary>Barrier commanded closed; anything entering the passage sends it back up.</summary>
    Closing,
}

/// <summary>What a lane shows to the outside (parkctl, the simulator, tests).</summary>
internal sealed record LaneSnapshot(
    string GateId,
    LaneState State,
    string? CycleId,
    string? TicketId,
    string? Fault,
    string? LastDecision,
    string? LastDetail,
    Money? FeeDue,
    string? AwaitingPaymentFor,
    int Tailgates,
    long Cycles)
{
    public bool OutOfService => Fault is not null;
}
