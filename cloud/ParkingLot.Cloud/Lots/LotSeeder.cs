using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// Upserts the lots of <c>Lots:SeedFiles</c> at start and fills the availability cache. A bad file
/// fails the start (I9): better no service than one that silently lacks a lot.
/// </summary>
internal sealed class LotSeeder(
    IOptions<LotsOptions> options, ILotStore store, AvailabilityService availability, ILogger<LotSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var path in options.Value.SeedFiles.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            try
            {
                var lot = await LotFile.LoadAsync(path, cancellationToken);
                await store.UpsertAsync(lot, cancellationToken);
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
