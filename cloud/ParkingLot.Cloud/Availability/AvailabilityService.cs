using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Availability;

/// <summary>
/// Serves availability from the cache. A miss (a cache that restarted or evicted) is filled once
/// from the derived state tables; an unknown lot stays a miss and yields null.
/// </summary>
internal sealed class AvailabilityService(IAvailabilityCache cache, IAvailabilityStore store, TimeProvider timeProvider)
{
    public async ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken)
    {
        var cached = await cache.GetAsync(lotId, cancellationToken);
        if (cached is not null)
        {
            return cached;
        }

        var loaded = await store.LoadAsync(lotId, timeProvider.GetUtcNow(), cancellationToken);
        if (loaded is not null)
        {
            await cache.SetAsync(loaded, cancellationToken);
        }

        return loaded;
    }

    /// <summary>Reloads a lot from the store into the cache (after seeding).</summary>
    public async Task RefreshAsync(string lotId, CancellationToken cancellationToken)
    {
        var loaded = await store.LoadAsync(lotId, timeProvider.GetUtcNow(), cancellationToken);
        if (loaded is not null)
        {
            await cache.SetAsync(loaded, cancellationToken);
        }
    }
}
