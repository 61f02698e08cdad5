using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// Upserts the lots of <c>Lots:SeedFiles</c> at start (lot, spots, and the tariff and capacity
/// blocks when present) and fills the availability cache. A bad file
/// fails the start (I9): better no service than one that silently lacks a lot.
/// </summary>
internal sealed class LotSeeder(
    IOptions<LotsOptions> options, ILotStore store, AvailabilityService availability, LotCatalog catalog, TimeProvider timeProvider, ILogger<LotSeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var path in options.Value.SeedFiles.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            try
            {
                var (lot, tariff, capacity) = await LotFile.LoadSeedAsync(path, cancellationToken);
                await store.UpsertAsync(lot, cancellationToken);
                if (tariff is not null)
                {
                    var published = await store.PublishTariffAsync(lot.LotId, tariff, timeProvider.GetUtcNow(), cancellationToken);
                    if (published.Status != LotWriteStatus.Done)
                    {
                        throw new LotFileException($"{path}: tariff: {published.Detail}");
                    }
                }

                var current = await store.GetCapacityAsync(lot.LotId, cancellationToken);
                if (capacity is not null && capacity.Any(c => current?.ReservableOf(c.Key) != c.Value))
                {
                    var set = await store.SetCapacityAsync(lot.LotId, capacity, timeProvider.GetUtcNow(), cancellationToken);
                    if (set.Status != LotWriteStatus.Done)
                    {
                        throw new LotFileException($"{path}: capacity: {set.Detail}");
                    }
                }

                catalog.Invalidate();
                await availability.RefreshAsync(lot.LotId, cancellationToken);
                Log.LotSeeded(logger, lot.LotId, lot.Spots.Count, path);
            }
            catch (LotFileException ex)
            {
                Log.LotFileRefused(logger, ex.Message);
                throw;
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
