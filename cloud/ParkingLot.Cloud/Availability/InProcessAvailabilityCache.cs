using System.Collections.Concurrent;

namespace ParkingLot.Cloud.Availability;

/// <summary>The embedded default: a dictionary of immutable snapshots, so readers never lock.</summary>
internal sealed class InProcessAvailabilityCache : IAvailabilityCache
{
    private readonly ConcurrentDictionary<string, LotAvailability> _lots = new(StringComparer.Ordinal);

    public ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_lots.TryGetValue(lotId, out var availability) ? availability : null);

    public ValueTask SetAsync(LotAvailability availability, CancellationToken cancellationToken)
    {
        _lots.AddOrUpdate(availability.LotId, availability, (_, current) => availability.AsOf >= current.AsOf ? availability : current);
        return ValueTask.CompletedTask;
    }
}
