using ParkingLot.Cloud.Notifications;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Sends a recorded refund to the gateway and records its answer. The refund row is written first (in
/// the cancellation's transaction), so a gateway outage leaves it pending and <see cref="PaymentSweeper"/>
/// sends it again later; the gateway de-duplicates on the refund's key, so money goes back once.
/// </summary>
internal sealed class RefundIssuer(
    IPaymentStore store, IPaymentGateway gateway, IBookingNotifications notifications, TimeProvider timeProvider, ILogger<RefundIssuer> logger)
{
    public async Task<Refund> IssueAsync(Refund refund, CancellationToken cancellationToken)
    {
        var payment = (await store.ListPaymentsAsync(refund.BookingId, cancellationToken)).FirstOrDefault(p => p.Id == refund.PaymentId);
        if (payment?.IntentId is not { } intentId)
        {
            throw new InvalidOperationException($"Refund {refund.Id} names payment {refund.PaymentId}, which has no intent.");
        }

        var answer = await gateway.RefundAsync(refund, intentId, cancellationToken);
        if (answer.Status == GatewayStatus.Unavailable)
        {
            Log.RefundPending(logger, refund.Id, refund.BookingId, refund.Amount.Minor);
            return refund;
        }

        var succeeded = answer.Status == GatewayStatus.Succeeded;
        var completed = await store.CompleteRefundAsync(refund.Id, answer.RefundId, succeeded, timeProvider.GetUtcNow(), cancellationToken) ?? refund;
        if (succeeded)
        {
            Log.RefundIssued(logger, refund.Id, refund.BookingId, refund.Amount.Minor, refund.Amount.Currency);
            await PostCommit.RunAsync(logger, () => notifications.RefundIssuedAsync(refund.BookingId, answer.RefundId!, refund.Amount, cancellationToken));
        }
        else
        {
            Log.RefundFailed(logger, refund.Id, refund.BookingId, answer.Error ?? "(no reason given)");
        }

        return completed;
    }
}

/// <summary>Best-effort work after a commit: a failure is logged, never turned into an error of the committed request.</summary>
internal static class PostCommit
{
    public static async Task RunAsync(ILogger logger, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.PostCommitFailed(logger, e);
        }
    }
}
