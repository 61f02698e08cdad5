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

/// <summary>The agent started (boot id, version); marks power-on recovery points in the ledger.</summary>
public sealed record AgentStarted(Guid BootId, string AgentVersion);
