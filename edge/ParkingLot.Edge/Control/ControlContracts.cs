using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using ParkingLot.Shared;

// parkctl (edge/ParkingLot.Edge.Cli) speaks these records and runs the lot-file validator in-process.
[assembly: InternalsVisibleTo("parkctl")]

namespace ParkingLot.Edge.Control;

// The control API's wire records (agent ⇄ parkctl, local only). Versioned by the /v1 path; the CLI
// tolerates members it does not know, so an agent may add some without breaking an older parkctl.
// States are lower-case words ("ok", "degraded", "faulted") so that `--json` output reads the same
// as the tables.

/// <summary>GET /v1/status: everything a technician checks first.</summary>
internal sealed record StatusResponse(
    string AgentVersion,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    LotSummary Lot,
    CloudLink Cloud,
    TimeStatus Time,
    IReadOnlyList<GateView> Gates,
    IReadOnlyList<OccupancyView> Occupancy,
    IReadOnlyList<DeviceView> Faults,
    bool Degraded,
    IReadOnlyList<string> Problems);

internal sealed record LotSummary(string LotId, string Name, string TimeZone, int Spots);

/// <summary>The MQTT link to the cloud: <see cref="Enabled"/> is false when the agent runs with --offline or no broker.</summary>
internal sealed record CloudLink(
    bool Enabled,
    bool Connected,
    string? Broker,
    long LastSeq,
    long AckedSeq,
    long Backlog,
    DateTimeOffset? LastAckAt,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>The agent's clock and how far it is trusted (quality as stamped on new events).</summary>
internal sealed record TimeStatus(DateTimeOffset Now, string Quality, bool Trusted);

/// <summary>
/// One gate: its barrier position, its lane's state (idle, awaitingCredential …; null without lanes)
/// and fault (the lane is out of service until `parkctl gate reset`), the presence inputs, and a
/// barrier held open by hand.
/// </summary>
internal sealed record GateView(
    string GateId,
    string Direction,
    string Name,
    string Barrier,
    string State,
    string? Lane,
    string? LaneFault,
    bool HeldOpen,
    bool? VehicleOnLoop,
    bool? PassageOccupied,
    string? LastCommand);

internal sealed record OccupancyView(string VehicleType, int Occupied, int Spots, int Reservable, int WalkInShare);

/// <summary>One device's health (Hardware/DeviceHealth as sent).</summary>
internal sealed record DeviceView(string DeviceId, string Kind, string State, string Detail, string? LikelyFix, string? GateId);

/// <summary>GET /v1/devices.</summary>
internal sealed record DevicesResponse(IReadOnlyList<DeviceView> Devices);

/// <summary>
/// One sensor: a spot sensor or a gate input. <see cref="ChangesPerHour"/> counts state changes over
/// the last <see cref="SensorsResponse.WindowMinutes"/>; <see cref="Flapping"/> is set above the threshold.
/// </summary>
internal sealed record SensorView(
    string SensorId,
    string Kind,
    string? SpotId,
    string? GateId,
    string Value,
    string State,
    DateTimeOffset? LastChange,
    double ChangesPerHour,
    bool Flapping,
    string? LikelyFix);

internal sealed record SensorsResponse(IReadOnlyList<SensorView> Sensors, int WindowMinutes, double FlappingAbovePerHour);

internal sealed record GatesResponse(IReadOnlyList<GateView> Gates);

/// <summary>POST /v1/gates/{gateId}/open|close. A reason is required; the technician's name is recorded with it.</summary>
internal sealed record GateCommandRequest(string? Reason, string? Technician);

internal sealed record GateCommandResponse(string GateId, string Command, bool Done, string Barrier, string? Fault, long AuditSeq);

/// <summary>A ledger event as the control API shows it (payload as stored).</summary>
internal sealed record EventView(long Seq, Guid Id, string Type, DateTimeOffset OccurredAt, string TimeQuality, JsonElement Payload, string PrevHash, string Hash);

internal sealed record EventsResponse(IReadOnlyList<EventView> Events, long LastSeq, long NextAfter, bool Done);

/// <summary>GET /v1/ledger/verify: chain and seq continuity; the first bad event named.</summary>
internal sealed record VerifyResponse(bool Valid, long EventsChecked, long LastSeq, long AckedSeq, long? FirstBadSeq, string? FirstBadType, Guid? FirstBadId, string? Reason);

internal sealed record SyncStatusResponse(CloudLink Cloud, long Epoch, string LotId);

internal sealed record SyncNowResponse(bool Requested, string Detail, CloudLink Cloud);

/// <summary>GET /v1/leases: the cloud's holds on capacity (none until the sync of leases exists) and the lot file's split.</summary>
internal sealed record LeasesResponse(IReadOnlyList<LeaseView> Leases, IReadOnlyList<CapacityView> Capacity, string Source);

internal sealed record LeaseView(string LeaseId, string VehicleType, int Spaces, DateTimeOffset ValidFrom, DateTimeOffset ValidTo, long Version);

internal sealed record CapacityView(string VehicleType, int Spots, int Reservable, int WalkIn);

/// <summary>POST /v1/tickets/find with a ticket id or the code printed on it (never put in a URL: it is a credential).</summary>
internal sealed record TicketQuery(string? Query);

internal sealed record TicketView(
    string TicketId,
    string VehicleType,
    string Status,
    string? EntryGate,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? EnteredAt,
    DateTimeOffset? ExitedAt,
    Money? FeeSoFar,
    string TariffVersion,
    Money? FeeCharged,
    IReadOnlyList<PaymentView> Payments);

internal sealed record PaymentView(string PaymentId, Money Amount, string Method, DateTimeOffset RecordedAt, long Seq);

/// <summary>POST /v1/selftest: cycles barriers, prints a test ticket, reads each sensor (one gate or all).</summary>
internal sealed record SelfTestRequest(string? Gate, string? Technician, string? Reason);

internal sealed record SelfTestResponse(bool Passed, IReadOnlyList<SelfTestResult> Results, long AuditSeq);

internal sealed record SelfTestResult(string DeviceId, string Kind, string? GateId, string Check, bool Passed, string Detail, string? LikelyFix, double ElapsedMs);

/// <summary>GET /v1/diag: what `parkctl diag bundle` packs besides status, devices and verify.</summary>
internal sealed record DiagResponse(
    string AgentVersion,
    string Runtime,
    string Os,
    string LotFile,
    string? LotFileRedacted,
    IReadOnlyDictionary<string, string?> Settings,
    IReadOnlyList<string> RecentLogs);

/// <summary>Every non-success answer: one sentence a technician can act on.</summary>
internal sealed record ControlError(string Error);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    WriteIndented = true,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(DevicesResponse))]
[JsonSerializable(typeof(SensorsResponse))]
[JsonSerializable(typeof(GatesResponse))]
[JsonSerializable(typeof(GateCommandRequest))]
[JsonSerializable(typeof(GateCommandResponse))]
[JsonSerializable(typeof(EventView))]
[JsonSerializable(typeof(EventsResponse))]
[JsonSerializable(typeof(VerifyResponse))]
[JsonSerializable(typeof(SyncStatusResponse))]
[JsonSerializable(typeof(SyncNowResponse))]
[JsonSerializable(typeof(LeasesResponse))]
[JsonSerializable(typeof(TicketQuery))]
[JsonSerializable(typeof(TicketView))]
[JsonSerializable(typeof(SelfTestRequest))]
[JsonSerializable(typeof(SelfTestResponse))]
[JsonSerializable(typeof(DiagResponse))]
[JsonSerializable(typeof(ControlError))]
internal sealed partial class ControlJsonContext : JsonSerializerContext
{
}
