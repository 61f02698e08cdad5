using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;

namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// Marks stale holds expired and refreshes the cached reserved counts of lots whose bookings started
/// or ended since the last tick. Correctness never waits for it: the checks treat a stale hold as free.
/// </summary>
internal sealed class BookingSweeper(
    IBookingStore store, AvailabilityService availability, IOptions<BookingsOptions> options, TimeProvider timeProvider, ILogger<BookingSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        var last = timeProvider.GetUtcNow();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = timeProvider.GetUtcNow();
            try
            {
                await SweepAsync(last, now, stoppingToken);
                last = now;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.BookingSweepFailed(logger, ex);
            }
        }
    }

    /// <summary>One sweep: expire stale holds, refresh the lots that changed in <c>(from, to]</c>. Returns the expired holds' lots.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var expired = await store.ExpireHoldsAsync(to, cancellationToken);
        var changed = await store.ListLotsWithBoundariesAsync(from, to, cancellationToken);
        foreach (var lotId in expired.Union(changed, StringComparer.Ordinal))
        {
            await availability.RefreshAsync(lotId, cancellationToken);
        }

        if (expired.Count > 0)
        {
            Log.HoldsExpired(logger, expired.Count);
        }

        return expired;
    }
}
