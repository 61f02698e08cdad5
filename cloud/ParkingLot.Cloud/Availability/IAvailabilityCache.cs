namespace ParkingLot.Cloud.Availability;

/// <summary>
/// Current availability per lot, written when edge events apply and read by the availability
/// endpoint. In-process by default; a Redis implementation shares it between cloud instances.
/// </summary>
internal interface IAvailabilityCache
{
    ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken);

    ValueTask SetAsync(LotAvailability availability, CancellationToken cancellationToken);
}

/// <summary>Rebuilds a lot's availability from the derived state tables (spots, gate counts), never from events.</summary>
internal interface IAvailabilityStore
{
    /// <summary>Null for an unknown lot.</summary>
    Task<LotAvailability?> LoadAsync(string lotId, DateTimeOffset asOf, CancellationToken cancellationToken);
}
