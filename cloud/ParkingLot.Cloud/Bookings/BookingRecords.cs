using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Bookings;

/// <summary>The states of a booking; which moves are allowed is <see cref="BookingLifecycle"/>.</summary>
internal enum BookingStatus
{
    /// <summary>Spot and share taken, unpaid; expires at <see cref="Booking.ExpiresAt"/>.</summary>
    Held,

    /// <summary>Paid (the payment webhook said so): the pass is valid.</summary>
    Confirmed,

    /// <summary>Cancelled with nothing paid back (a held booking, or a confirmed one past the refund policy).</summary>
    Cancelled,

    /// <summary>A hold nobody paid in time.</summary>
    Expired,

    /// <summary>A confirmed booking cancelled with money paid back by the lot's refund policy.</summary>
    Refunded,
}

/// <summary>A stored booking. Amount and tariff version are the quote locked at hold time (I6).</summary>
internal sealed record Booking(
    Guid Id,
    string UserId,
    BookingStatus Status,
    string LotId,
    string SpotId,
    VehicleType VehicleType,
    string? Plate,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    Money Amount,
    string TariffVersion,
    int DemandMultiplierPercent,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? CancelledAt,
    long? RefundMinor,
    int Version,
    DateTimeOffset? PassRevokedAt = null)
{
    /// <summary>
    /// The status as of <paramref name="now"/>: a hold past its expiry is expired even before the
    /// sweeper wrote it, exactly as the overlap and capacity checks treat it.
    /// </summary>
    public BookingStatus StatusAt(DateTimeOffset now) =>
        Status == BookingStatus.Held && ExpiresAt <= now ? BookingStatus.Expired : Status;

    /// <summary>Held (and not stale) or confirmed: the booking takes its spot (I1) and a unit of the share (I2).</summary>
    public bool IsActiveAt(DateTimeOffset now) => BookingLifecycle.IsActive(StatusAt(now));
}

/// <summary>What the service asks a store to hold, already validated and priced.</summary>
internal sealed record HoldRequest(
    Guid Id,
    string UserId,
    string LotId,
    VehicleType VehicleType,
    string? SpotId,
    string? Plate,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    Money Amount,
    string TariffVersion,
    int DemandMultiplierPercent,
    DateTimeOffset Now,
    DateTimeOffset ExpiresAt);

internal enum HoldStatus
{
    Held,

    /// <summary>The cloud's reservable share of the vehicle type is sold out at some instant of the window (I2).</summary>
    NoCapacity,

    /// <summary>The requested spot has a held/confirmed booking overlapping the window (I1).</summary>
    SpotTaken,

    /// <summary>There is share left but no single spot of the type is free for the whole window.</summary>
    NoSpotFree,

    UnknownSpot,

    /// <summary>The requested spot exists but is for another vehicle type.</summary>
    SpotTypeMismatch,
}

internal sealed record HoldResult(HoldStatus Status, Booking? Booking = null, string? Detail = null);

internal enum CancelStatus
{
    Cancelled,
    NotFound,
    NotCancellable,
}

/// <summary>The outcome of a cancellation; <see cref="Refund"/> is the refund it started (pending at the gateway), if any.</summary>
internal sealed record CancelResult(CancelStatus Status, Booking? Booking = null, Payments.Refund? Refund = null);

/// <summary>A held/confirmed booking's spot and window, as the planner sees it.</summary>
internal readonly record struct ActiveWindow(string SpotId, DateTimeOffset Start, DateTimeOffset End);
