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

    /// <summary>
    /// Sets one vehicle type's reserved count in the cached availability (a hold's own count, taken
    /// in its transaction) without reloading the lot; a lot not cached is left to the next read.
    /// </summary>
    public async Task SetReservedAsync(string lotId, VehicleType vehicleType, int reserved, CancellationToken cancellationToken)
    {
        var cached = await cache.GetAsync(lotId, cancellationToken);
        if (cached is null)
        {
            return;
        }

        var types = cached.VehicleTypes.Select(t => t.VehicleType == vehicleType ? t with { Reserved = reserved } : t).ToList();
        await cache.SetAsync(cached with { VehicleTypes = types }, cancellationToken);
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
