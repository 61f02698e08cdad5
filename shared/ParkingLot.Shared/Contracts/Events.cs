using System.Text.Json.Serialization;

namespace ParkingLot.Shared.Contracts;

/// <summary>
/// Ledger event type names (versioned by the topic root). A consumer ignores types it does not know;
/// a known type whose payload lacks a required field is rejected.
/// </summary>
public static class EventTypes
{
    public const string VehicleEntered = "vehicle.entered";
    public const string VehicleExited = "vehicle.exited";
    public const string OccupancyChanged = "occupancy.changed";
    public const string TicketIssued = "ticket.issued";
    public const string PaymentRecorded = "payment.recorded";
    public const string GateFault = "gate.fault";
    public const string BarrierMoved = "barrier.moved";
    public const string AgentStarted = "agent.started";

    /// <summary>A technician opened or closed a barrier by hand through the agent's control API (parkctl).</summary>
    public const string ControlGateCommand = "control.gate-command";

    /// <summary>A technician ran the device self-test (barriers cycled, test ticket printed) through parkctl.</summary>
    public const string ControlSelfTest = "control.selftest";

    // Lane state machine steps (edge Gates/, one durable event per step). A vehicle's passage through
    // a lane is recorded as vehicle.entered / vehicle.exited above: they are the lane's
    // "vehicle passed" step, and the cloud already counts vehicles by them.

    /// <summary>A vehicle arrived on a lane's loop: a lane cycle starts.</summary>
    public const string LaneVehicleDetected = "lane.vehicle-detected";

    /// <summary>A credential (pass, ticket, permit, ticket request, lost-ticket request) was checked.</summary>
    public const string LaneCredentialChecked = "lane.credential-checked";

    /// <summary>The lane decided to let the vehicle through.</summary>
    public const string LaneAdmitted = "lane.admitted";

    /// <summary>The lane decided not to let the vehicle through, with the reason shown on the display.</summary>
    public const string LaneRefused = "lane.refused";

    /// <summary>The barrier is open and the passage sensor sees the vehicle going through.</summary>
    public const string LaneVehiclePassing = "lane.vehicle-passing";

    /// <summary>The vehicle left the loop without passing; the cycle ends (an admission not used is void).</summary>
    public const string LaneVehicleWithdrew = "lane.vehicle-withdrew";

    /// <summary>A second vehicle went through on one opening.</summary>
    public const string LaneTailgate = "lane.tailgate";

    /// <summary>Power-on recovery resolved a half-finished lane cycle from the ledger and the sensors.</summary>
    public const string LaneRecovered = "lane.recovered";

    /// <summary>A technician put an out-of-service lane back into service.</summary>
    public const string LaneReset = "lane.reset";

    /// <summary>A barrier did not reach its commanded position; the lane is out of service.</summary>
    public const string BarrierFault = "barrier.fault";

    /// <summary>
    /// A closing arm was sent back up because something entered the passage (beam or loop B) or the
    /// barrier controller's own safety input reversed it. Not a fault: the lane stays in service.
    /// </summary>
    public const string BarrierReversed = "barrier.reversed";
}

/// <summary>
/// Machine-readable values of <see cref="LaneAdmitted.Basis"/> and <see cref="LaneRefused.Reason"/>
/// (the display text travels beside them in <see cref="LaneRefused.Detail"/>).
/// </summary>
public static class LaneDecisions
{
    /// <summary>Entry: a walk-in inside the walk-in share (I2), with a printed ticket.</summary>
    public const string WalkIn = "walkIn";

    /// <summary>Entry: a valid reservation pass (admitted whatever the walk-in count, I2).</summary>
    public const string Pass = "pass";

    /// <summary>Entry or exit: a valid permit not already inside (anti-passback).</summary>
    public const string Permit = "permit";

    /// <summary>Exit: the stay cost nothing.</summary>
    public const string Free = "free";

    /// <summary>Exit: paid (kiosk, app or terminal) and still within the exit grace period.</summary>
    public const string Paid = "paid";

    /// <summary>Exit: a pass whose window covers the stay.</summary>
    public const string Prepaid = "prepaid";

    /// <summary>Exit: a lost ticket paid at the lost-ticket fee.</summary>
    public const string LostTicketPaid = "lostTicketPaid";

    /// <summary>Entry: walk-in occupancy reached the walk-in share.</summary>
    public const string LotFull = "lotFull";

    /// <summary>Entry: the lot has no walk-in spaces for this vehicle type.</summary>
    public const string ReservedOnly = "reservedOnly";

    /// <summary>The code or card is not valid here (forged, altered, foreign lot, expired, unknown …).</summary>
    public const string InvalidCredential = "invalidCredential";

    /// <summary>Entry: the permit is already inside.</summary>
    public const string AntiPassback = "antiPassback";

    /// <summary>Entry: the printer cannot print, so walk-ins cannot get a ticket.</summary>
    public const string NoTickets = "noTickets";

    /// <summary>Exit: a fee is due (shown on the display).</summary>
    public const string FeeDue = "feeDue";

    /// <summary>Exit: the ticket or pass is not inside (never entered, already left, or voided).</summary>
    public const string NotInside = "notInside";

    /// <summary>The lane is out of service after a device fault.</summary>
    public const string OutOfService = "outOfService";
}

/// <summary>How a vehicle identified itself at a gate.</summary>
public enum CredentialKind
{
    [JsonStringEnumMemberName("none")]
    None,
    [JsonStringEnumMemberName("ticket")]
    Ticket,
    [JsonStringEnumMemberName("pass")]
    Pass,
    [JsonStringEnumMemberName("permit")]
    Permit,
}

/// <summary>How an edge payment was taken.</summary>
public enum PaymentMethod
{
    [JsonStringEnumMemberName("cash")]
    Cash,
    [JsonStringEnumMemberName("card")]
    Card,
    [JsonStringEnumMemberName("app")]
    App,
    [JsonStringEnumMemberName("prepaid")]
    Prepaid,
}

/// <summary>A vehicle passed an entry gate.</summary>
public sealed record VehicleEntered(string GateId, string TicketId, VehicleType VehicleType, CredentialKind Credential, string? BookingId);

/// <summary>A vehicle passed an exit gate.</summary>
public sealed record VehicleExited(string GateId, string TicketId, VehicleType VehicleType, Money? Fee, string? TariffVersion);

/// <summary>A space sensor changed state (after debouncing/hysteresis).</summary>
public sealed record OccupancyChanged(string SpotId, VehicleType VehicleType, bool Occupied, string SensorId);

/// <summary>A paper ticket was issued at an entry gate; <see cref="Code"/> is the signed credential text.</summary>
public sealed record TicketIssued(string TicketId, string GateId, VehicleType VehicleType, DateTimeOffset IssuedAt, string Code);

/// <summary>Money taken at the edge (kiosk, exit lane) for a ticket.</summary>
public sealed record PaymentRecorded(string PaymentId, string TicketId, Money Amount, PaymentMethod Method, string TariffVersion);

/// <summary>A gate device failed (barrier did not reach position, printer out of paper …).</summary>
public sealed record GateFault(string GateId, string Device, string Fault);

/// <summary>A barrier was commanded open or closed.</summary>
public sealed record BarrierMoved(string GateId, bool Open, string Reason);

/// <summary>
/// A closing arm went back up: <see cref="Cause"/> is <c>beam</c> or <c>loopB</c> (the lane saw
/// something enter the passage and commanded it open) or <c>controller</c> (the barrier controller's
/// own safety input reversed it; the lane then commands it open too).
/// </summary>
public sealed record BarrierReversed(string GateId, string? CycleId, string Cause);

/// <summary>The agent started (boot id, version); marks power-on recovery points in the ledger.</summary>
public sealed record AgentStarted(Guid BootId, string AgentVersion);

/// <summary>A vehicle arrived on the loop of <see cref="GateId"/>; <see cref="CycleId"/> names the lane cycle that follows.</summary>
public sealed record LaneVehicleDetected(string GateId, string CycleId);

/// <summary>
/// A credential was checked at a lane. <see cref="Status"/> is the verifier's outcome in camelCase
/// (valid, malformed, unknownKey, badSignature, wrongLot, notYetValid, expired, unknownPermit, request);
/// <see cref="Accepted"/> says whether the lane may go on with it; <see cref="Reason"/> is the display text.
/// <see cref="CredentialId"/> is the ticket, booking or permit id once the signature verified; never the code.
/// </summary>
public sealed record LaneCredentialChecked(string GateId, string CycleId, CredentialKind Kind, string? CredentialId, string Status, bool Accepted, string Reason);

/// <summary>
/// The lane lets the vehicle through. <see cref="TicketId"/> is the stay's session id (a printed
/// ticket, or a virtual one for a pass or permit holder); <see cref="Basis"/> is one of
/// <see cref="LaneDecisions"/>; <see cref="Fee"/> is what the stay cost (exit).
/// </summary>
public sealed record LaneAdmitted(
    string GateId,
    string CycleId,
    string TicketId,
    VehicleType VehicleType,
    CredentialKind Credential,
    string? CredentialId,
    string Basis,
    Money? Fee = null,
    string? TariffVersion = null);

/// <summary>The lane does not let the vehicle through: <see cref="Reason"/> from <see cref="LaneDecisions"/>, <see cref="Detail"/> as shown.</summary>
public sealed record LaneRefused(string GateId, string CycleId, string Reason, string Detail, Money? Fee = null, string? TicketId = null);

/// <summary>The admitted vehicle is in the passage (beam interrupted) with the barrier open.</summary>
public sealed record LaneVehiclePassing(string GateId, string CycleId, string TicketId);

/// <summary>The vehicle left the loop without passing; an admission it did not use (<see cref="TicketId"/>) is void.</summary>
public sealed record LaneVehicleWithdrew(string GateId, string CycleId, string? TicketId);

/// <summary>
/// A second vehicle went through the passage before the barrier closed. It is counted in (entry) or
/// out (exit) as a <see cref="AssumedVehicleType"/>, the type of the vehicle it followed.
/// </summary>
public sealed record LaneTailgate(string GateId, string CycleId, VehicleType AssumedVehicleType, bool Entry);

/// <summary>
/// Power-on recovery of a lane: <see cref="PreviousState"/> is what the ledger said, <see cref="Resolution"/>
/// what was done about it (e.g. closed, aborted, completed, passageResumed, admissionVoided), <see cref="Detail"/> why.
/// </summary>
public sealed record LaneRecovered(string GateId, string? CycleId, string PreviousState, string Resolution, string Detail);

/// <summary>A technician put the lane back into service.</summary>
public sealed record LaneReset(string GateId, string Reason);

/// <summary>
/// The barrier did not reach the position it was commanded to (<see cref="CommandedOpen"/>) in time;
/// <see cref="Position"/> is what the limit switches say. The lane commands the arm closed and goes out of service.
/// </summary>
public sealed record BarrierFault(string GateId, string? CycleId, bool CommandedOpen, string Position, string Fault);

/// <summary>
/// A state-changing command a technician gave through the agent's control API (parkctl), recorded
/// whatever its outcome. <see cref="Command"/> is open, close or selftest; <see cref="GateId"/> is null
/// for a command on every gate; <see cref="Outcome"/> says what the devices did.
/// </summary>
public sealed record ControlCommand(string Command, string? GateId, string Technician, string Reason, string Outcome);
