using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Bookings;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Sends refunds the gateway did not take when they were recorded (it was down) again, every
/// <see cref="BookingsOptions.SweepInterval"/>. The gateway de-duplicates on the refund's key, so a
/// refund that did go through before is not paid twice.
/// </summary>
internal sealed class PaymentSweeper(
    IPaymentStore store, RefundIssuer refunds, IOptions<BookingsOptions> options, TimeProvider timeProvider, ILogger<PaymentSweeper> logger)
    : BackgroundService
{
    /// <summary>Refunds retried per tick.</summary>
    public const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await SweepAsync(stoppingToken);
        }
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var refund in await store.ListPendingRefundsAsync(BatchSize, cancellationToken))
            {
                await refunds.IssueAsync(refund, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RefundSweepFailed(logger, e);
        }
    }
}
