namespace ParkingLot.Cloud.Availability;

/// <summary>
/// Current availability per lot, written when edge events apply and read by the availability
/// endpoint. In-process by default; a Redis implementation shares it between cloud instances.
/// </summary>
internal interface IAvailabilityCache
{
    ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the lot's snapshot unless the cached one is newer (a later <see cref="LotAvailability.AsOf"/>):
    /// writers race after their commits, and an older snapshot landing last must not win.
    /// </summary>
    ValueTask SetAsync(LotAvailability availability, CancellationToken cancellationToken);
}

/// <summary>Rebuilds a lot's availability from the derived state tables (spots, gate counts), never from events.</summary>
internal interface IAvailabilityStore
{
    /// <summary>Null for an unknown lot.</summary>
    Task<LotAvailability?> LoadAsync(string lotId, DateTimeOffset asOf, CancellationToken cancellationToken);
}
