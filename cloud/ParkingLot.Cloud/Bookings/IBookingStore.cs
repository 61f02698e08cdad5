namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// Bookings on the embedded SQLite store and on PostgreSQL. The embedded store runs <see cref="BookingPlanner"/>
/// inside one write transaction per hold; PostgreSQL runs <c>hold_booking</c>, its PL/pgSQL copy (the planner
/// is the specification), and additionally has the exclusion constraint (I1). Payments, cancellations and
/// refunds are <see cref="Payments.IPaymentStore"/>.
/// </summary>
internal interface IBookingStore
{
    /// <summary>
    /// Checks the share (I2) and the spot (I1) and inserts the hold, all in one transaction that
    /// serialises holds per (lot, vehicle type). Stale holds (held, expiry passed) count as free.
    /// </summary>
    Task<HoldResult> HoldAsync(HoldRequest request, CancellationToken cancellationToken);

    Task<Booking?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The user's bookings, newest first.</summary>
    Task<IReadOnlyList<Booking>> ListByUserAsync(string userId, int limit, CancellationToken cancellationToken);

    /// <summary>Marks holds whose expiry passed as expired; returns the lots that changed.</summary>
    Task<IReadOnlyList<string>> ExpireHoldsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lots with a held/confirmed booking starting or ending in <c>(from, to]</c>: their reserved counts changed.</summary>
    Task<IReadOnlyList<string>> ListLotsWithBoundariesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
