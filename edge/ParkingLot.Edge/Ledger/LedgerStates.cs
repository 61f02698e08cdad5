using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>Where a ticket's stay is: printed at the entry, vehicle inside, or left; void when the vehicle withdrew without entering.</summary>
internal enum SessionStatus
{
    Issued,
    Open,
    Closed,
    Void,
}

/// <summary>One row of the derived <c>sessions</c> table.</summary>
internal sealed record SessionState(
    string TicketId,
    VehicleType VehicleType,
    SessionStatus Status,
    string? EntryGate,
    string? Code,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? EnteredAt,
    DateTimeOffset? ExitedAt,
    Money? Fee,
    string? TariffVersion);

/// <summary>One row of the derived <c>spots</c> table.</summary>
internal sealed record SpotState(string SpotId, VehicleType VehicleType, string SensorId, bool Occupied, DateTimeOffset ChangedAt);

/// <summary>One row of the derived <c>payments</c> table.</summary>
internal sealed record PaymentState(string PaymentId, string TicketId, Money Amount, PaymentMethod Method, string TariffVersion, DateTimeOffset RecordedAt, long Seq);

/// <summary>Result of <see cref="LedgerStore.VerifyAsync"/>: valid, or the first bad seq and why.</summary>
internal sealed record LedgerVerification(bool IsValid, long EventsChecked, long LastSeq, long? FirstBadSeq, string? Reason)
{
    public static LedgerVerification Bad(long checkedCount, long seq, string reason) => new(false, checkedCount, checkedCount, seq, reason);
}
