using Microsoft.Extensions.Options;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// Every lot with its current tariff in memory (1,000 lots are a few hundred kilobytes), so search,
/// quotes and bookings never ask the store who a lot is. Reloaded after
/// <see cref="LotsOptions.CatalogRefresh"/> and at once after a change on this instance; another
/// instance's change shows here within the refresh interval.
/// </summary>
internal sealed class LotCatalog(ILotStore store, TimeProvider timeProvider, IOptions<LotsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _reload = new(1, 1);
    private Snapshot? _snapshot;

    public async ValueTask<IReadOnlyList<CatalogLot>> ListAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Lots;

    /// <summary>The lot, or null; a lot missing from the snapshot (created since) reloads it once.</summary>
    public async ValueTask<CatalogLot?> FindAsync(string lotId, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        if (snapshot.ById.TryGetValue(lotId, out var lot))
        {
            return lot;
        }

        Invalidate();
        return (await CurrentAsync(cancellationToken)).ById.GetValueOrDefault(lotId);
    }

    public void Dispose() => _reload.Dispose();

    /// <summary>Drops the snapshot; the next read loads the store's lots.</summary>
    public void Invalidate() => Volatile.Write(ref _snapshot, null);

    private async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var now = timeProvider.GetTimestamp();
        if (snapshot is not null && timeProvider.GetElapsedTime(snapshot.LoadedAt, now) < options.Value.CatalogRefresh)
        {
            return snapshot;
        }

        await _reload.WaitAsync(cancellationToken);
        try
        {
            snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is not null && timeProvider.GetElapsedTime(snapshot.LoadedAt) < options.Value.CatalogRefresh)
            {
                return snapshot;
            }

            var started = timeProvider.GetTimestamp();
            var lots = await store.ListCatalogAsync(cancellationToken);
            snapshot = new Snapshot(lots, lots.ToDictionary(l => l.Id, StringComparer.Ordinal), started);
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    private sealed record Snapshot(IReadOnlyList<CatalogLot> Lots, Dictionary<string, CatalogLot> ById, long LoadedAt);
}
