using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// Pays a held booking. The store starts (or finds) the attempt and extends the hold in one transaction
/// with the caller's Idempotency-Key; then the gateway creates the intent under the attempt's own key,
/// so a double submit, a concurrent submit and a retry after a timeout all reach the one intent. The
/// booking is confirmed only by the gateway's word: Stripe's webhook (<see cref="PaymentWebhook"/>), or
/// at once by the test gateway. Work after the commit (notifications, refunds of late payments) runs on
/// the host's token, not the request's, so a client hanging up never leaves it half done.
/// </summary>
internal sealed class PaymentService(
    IPaymentStore store,
    IPaymentGateway gateway,
    RefundIssuer refunds,
    AvailabilityService availability,
    IBookingNotifications notifications,
    IOptions<PaymentsOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<PaymentService> logger)
{
    public async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> PayAsync(
        string userId, PaymentRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (ApiProblems.Missing(("bookingId", request.BookingId)) is { } missing)
        {
            return missing;
        }

        var now = timeProvider.GetUtcNow();
        var settings = options.Value;
        var start = await store.StartAsync(
            new PaymentStart(
                Guid.CreateVersion7(now), request.BookingId!.Value, userId, idempotencyKey, gateway.Kind, now, now + settings.HoldExtension, settings.MaxHold,
                request.RedeemPoints ?? 0),
            cancellationToken);
        switch (start.Status)
        {
            case PaymentStartStatus.NotFound:
                return BookingProblems.NotFound(request.BookingId.Value);
            case PaymentStartStatus.KeyReused:
                return ApiProblems.Unprocessable("Idempotency-Key reused", $"This Idempotency-Key was used to pay booking {start.Payment!.BookingId}, not {request.BookingId}.");
            case PaymentStartStatus.PointsUnavailable:
                return ApiProblems.Unprocessable(
                    "Points unavailable", $"You can redeem at most {start.RedeemablePoints} points on booking {request.BookingId} (your balance, and at least {Loyalty.LoyaltyRules.MinimumChargeMinor} minor units left to pay by card); asked {request.RedeemPoints}.");
            case PaymentStartStatus.NotPayable:
                var status = start.Booking!.StatusAt(now);
                return ApiProblems.Conflict(
                    status == BookingStatus.Confirmed ? "Already paid" : "Not payable",
                    $"Booking {start.Booking.Id} is {DbValues.Name(status)}; only a held booking can be paid.");
        }

        var payment = start.Payment!;
        if (start.Status == PaymentStartStatus.Started)
        {
            Log.PaymentStarted(logger, payment.Id, payment.BookingId, payment.Attempt, payment.Amount.Minor, payment.Amount.Currency, DbValues.Name(payment.Gateway));
        }

        switch (payment.Status)
        {
            case PaymentStatus.Succeeded:
                return TypedResults.Ok(PaymentResponse.From(payment, start.Booking!, now, clientSecret: null));
            case PaymentStatus.Failed:
                return Declined(payment.Error, start.Booking!);
        }

        var intent = await gateway.CreateIntentAsync(payment, request.PaymentMethod, cancellationToken);
        if (intent.Status == GatewayStatus.Unavailable)
        {
            // Nothing was charged by us; the attempt stays open, so the client's retry reaches the same intent.
            var problem = TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Payment provider unavailable",
                detail: $"The payment provider did not answer. Nothing was charged; booking {payment.BookingId} stays held until {start.Booking!.ExpiresAt:O}. Try again shortly.",
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = (int)settings.BreakDuration.TotalSeconds });
            return problem;
        }

        await store.AttachIntentAsync(payment.Id, intent.IntentId!, cancellationToken);
        payment = payment with { IntentId = intent.IntentId };
        var booking = start.Booking!;
        switch (intent.Status)
        {
            case GatewayStatus.Succeeded:
                // The test gateway's word is final at once: the same path the webhook takes.
                var outcome = await ApplySucceededAsync(intent.IntentId!, payment.Id, eventId: null, cancellationToken);
                return TypedResults.Ok(PaymentResponse.From(outcome.Payment ?? payment, outcome.Booking ?? booking, now, clientSecret: null));
            case GatewayStatus.Declined:
                var failed = await store.FailAsync(intent.IntentId!, payment.Id, null, intent.Error ?? "The card was declined.", timeProvider.GetUtcNow(), cancellationToken);
                Log.PaymentDeclined(logger, payment.Id, payment.BookingId, intent.Error ?? "");
                return Declined(intent.Error, failed.Booking ?? booking);
            default:
                return TypedResults.Ok(PaymentResponse.From(payment, booking, now, intent.ClientSecret));
        }
    }

    /// <summary>The payments and refunds of the caller's booking (the money view of <c>GET /bookings/{id}</c>).</summary>
    public async Task<Results<Ok<BookingMoneyResponse>, ProblemHttpResult>> MoneyAsync(string userId, Guid bookingId, IBookingStore bookings, CancellationToken cancellationToken)
    {
        var booking = await bookings.GetAsync(bookingId, cancellationToken);
        if (booking is null || !string.Equals(booking.UserId, userId, StringComparison.Ordinal))
        {
            return BookingProblems.NotFound(bookingId);
        }

        var now = timeProvider.GetUtcNow();
        var payments = await store.ListPaymentsAsync(bookingId, cancellationToken);
        var refunded = await store.ListRefundsAsync(bookingId, cancellationToken);
        return TypedResults.Ok(new BookingMoneyResponse(
            bookingId,
            booking.StatusAt(now),
            [.. payments.Select(p => PaymentResponse.From(p, booking, now, clientSecret: null))],
            [.. refunded.Select(RefundResponse.From)]));
    }

    /// <summary>
    /// The gateway says the money came (webhook or test gateway): confirm, or refund a payment that came
    /// after its hold ended. Post-commit work runs on the host's token.
    /// </summary>
    public async Task<PaymentOutcome> ApplySucceededAsync(string intentId, Guid? paymentId, string? eventId, CancellationToken cancellationToken)
    {
        var outcome = await store.SucceedAsync(intentId, paymentId, eventId, timeProvider.GetUtcNow(), Guid.CreateVersion7(timeProvider.GetUtcNow()), cancellationToken);
        var afterCommit = lifetime.ApplicationStopping;
        switch (outcome.Status)
        {
            case PaymentOutcomeStatus.Applied:
                var (payment, booking) = (outcome.Payment!, outcome.Booking!);
                Log.PaymentSucceeded(logger, payment.Id, booking.Id, payment.Amount.Minor, payment.Amount.Currency);
                var now = timeProvider.GetUtcNow();
                if (booking.StartTime <= now && now < booking.EndTime)
                {
                    await availability.RefreshAfterCommitAsync(booking.LotId);
                }

                await PostCommit.RunAsync(logger, () => notifications.BookingConfirmedAsync(booking.Id, afterCommit));
                await PostCommit.RunAsync(logger, () => notifications.PaymentReceiptAsync(booking.Id, payment.Id.ToString("D"), payment.Amount, afterCommit));
                break;
            case PaymentOutcomeStatus.RefundDue:
                Log.PaymentTooLate(logger, outcome.Payment!.Id, outcome.Booking!.Id, DbValues.Name(outcome.Booking.Status));
                await PostCommit.RunAsync(logger, () => refunds.IssueAsync(outcome.Refund!, afterCommit));
                break;
            default:
                LogNoEffect(outcome.Status, intentId, eventId);
                break;
        }

        return outcome;
    }

    public async Task<PaymentOutcome> ApplyFailedAsync(string intentId, Guid? paymentId, string? eventId, string error, CancellationToken cancellationToken)
    {
        var outcome = await store.FailAsync(intentId, paymentId, eventId, error, timeProvider.GetUtcNow(), cancellationToken);
        switch (outcome.Status)
        {
            case PaymentOutcomeStatus.Applied:
                Log.PaymentDeclined(logger, outcome.Payment!.Id, outcome.Booking!.Id, error);
                break;
            default:
                LogNoEffect(outcome.Status, intentId, eventId);
                break;
        }

        return outcome;
    }

    /// <summary>An event that changed nothing: an intent we never created, or one already applied (a replay).</summary>
    private void LogNoEffect(PaymentOutcomeStatus status, string intentId, string? eventId)
    {
        if (status == PaymentOutcomeStatus.UnknownIntent)
        {
            Log.UnknownIntent(logger, intentId, eventId ?? "(none)");
        }
        else
        {
            Log.EventAlreadyApplied(logger, eventId ?? "(none)", intentId);
        }
    }

    /// <summary>A 400 in the validation problem's shape: <c>errors</c> keyed by the member at fault.</summary>
    private static ProblemHttpResult Declined(string? error, Booking booking) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status402PaymentRequired,
            title: "Payment declined",
            detail: $"{error ?? "The card was declined."} Booking {booking.Id} stays held until {booking.ExpiresAt:O}; pay again with another card before then.");
}
