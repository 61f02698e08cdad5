using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// A barrier arm. The simulated one moves at once; the GPIO driver (issue 3) drives the relay and
/// waits for the position feedback, and throws <see cref="GateFaultException"/> when it does not arrive.
/// </summary>
internal interface IBarrier
{
    string GateId { get; }

    Task OpenAsync(CancellationToken cancellationToken);

    Task CloseAsync(CancellationToken cancellationToken);
}

/// <summary>An entry lane: a vehicle at the loop asks to come in.</summary>
internal interface IEntryLane
{
    string GateId { get; }

    /// <summary>Admits a walk-in (ticket, barrier, entered) or refuses it; every step is a ledger event.</summary>
    Task<EntryOutcome> AdmitAsync(VehicleType vehicleType, CancellationToken cancellationToken);
}

/// <summary>An exit lane: a vehicle presents its ticket.</summary>
internal interface IExitLane
{
    string GateId { get; }

    /// <summary>Prices the stay, records the payment and lets the vehicle out, or refuses.</summary>
    Task<ExitOutcome> ReleaseAsync(string ticketId, CancellationToken cancellationToken);
}

/// <summary>Result of an entry attempt; <see cref="TicketId"/> is set when admitted.</summary>
internal sealed record EntryOutcome(bool Admitted, string? TicketId, string? Reason)
{
    public static EntryOutcome Refused(string reason) => new(false, null, reason);
}

/// <summary>Result of an exit attempt; <see cref="Fee"/> is what was charged when released.</summary>
internal sealed record ExitOutcome(bool Released, Money? Fee, string? Reason)
{
    public static ExitOutcome Refused(string reason) => new(false, null, reason);
}

/// <summary>A gate device did not do what it was told (recorded as <see cref="GateFault"/>).</summary>
internal sealed class GateFaultException(string device, string fault) : Exception($"{device}: {fault}")
{
    public string Device { get; } = device;

    public string Fault { get; } = fault;
}
