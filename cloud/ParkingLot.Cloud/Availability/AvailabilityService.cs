using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Availability;

/// <summary>
/// Serves availability from the cache. A miss (a cache that restarted or evicted) is filled once
/// from the derived state tables; an unknown lot stays a miss and yields null. The cache is a cache,
/// not a dependency of correctness: when it fails (Redis down or timing out) the answer comes from
/// the store, and a write after a commit never fails the change it follows.
/// </summary>
internal sealed class AvailabilityService(
    IAvailabilityCache cache, IAvailabilityStore store, TimeProvider timeProvider, IHostApplicationLifetime lifetime,
    ILogger<AvailabilityService> logger)
{
    public async ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken)
    {
        try
        {
            var cached = await cache.GetAsync(lotId, cancellationToken);
            if (cached is not null)
            {
                return cached;
            }
        }
        catch (Exception exception) when (IsCacheFailure(exception, cancellationToken))
        {
            Log.CacheReadFailed(logger, lotId, exception);
            return await store.LoadAsync(lotId, timeProvider.GetUtcNow(), cancellationToken);
        }

        var loaded = await store.LoadAsync(lotId, timeProvider.GetUtcNow(), cancellationToken);
        if (loaded is not null)
        {
            try
            {
                await cache.SetAsync(loaded, cancellationToken);
            }
            catch (Exception exception) when (IsCacheFailure(exception, cancellationToken))
            {
                Log.CacheWriteFailed(logger, lotId, exception);
            }
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

    /// <summary>
    /// <see cref="RefreshAsync"/> after a change has committed: best-effort. It runs on the host's
    /// stopping token, not the request's (a client that hangs up must not cut it short), and a failure
    /// is logged, never thrown: the change stands and its response (and idempotency key) must say so.
    /// </summary>
    public async Task RefreshAfterCommitAsync(string lotId)
    {
        try
        {
            await RefreshAsync(lotId, lifetime.ApplicationStopping);
        }
        catch (Exception exception) when (IsCacheFailure(exception, lifetime.ApplicationStopping))
        {
            Log.RefreshAfterCommitFailed(logger, lotId, exception);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the next instance loads the lot on its first read.
        }
    }

    private static bool IsCacheFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested;
}
