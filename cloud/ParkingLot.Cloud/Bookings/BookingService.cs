using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Payments;
using ParkingLot.Cloud.Quotes;
using ParkingLot.Shared;

namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// Holds, lists, cancels bookings and signs their passes. The hold prices the window first (the quote
/// is locked in the booking), then lets the store check the share (I2) and the spot (I1) and insert
/// in one transaction. The availability cache's reserved count (bookings covering now) is
/// updated when a change covers now; a later window does not change it.
/// </summary>
internal sealed class BookingService(
    IBookingStore store,
    IPaymentStore lifecycle,
    RefundIssuer refunds,
    IOptions<PaymentsOptions> payments,
    IHostApplicationLifetime lifetime,
    QuoteService quotes,
    AvailabilityService availability,
    PassSigner passes,
    IOptions<BookingsOptions> options,
    TimeProvider timeProvider,
    ILogger<BookingService> logger)
{
    /// <summary>How many bookings <c>GET /bookings</c> lists, newest first.</summary>
    public const int ListLimit = 200;

    public async Task<Results<Created<BookingResponse>, ProblemHttpResult>> HoldAsync(
        string userId, BookingRequest request, CancellationToken cancellationToken)
    {
        if (ApiProblems.Missing(("lotId", request.LotId), ("vehicleType", request.VehicleType), ("startTime", request.StartTime), ("endTime", request.EndTime)) is { } missing)
        {
            return missing;
        }

        var start = BookingWindow.Truncate(request.StartTime!.Value);
        var end = BookingWindow.Truncate(request.EndTime!.Value);
        var type = request.VehicleType!.Value;
        if (request.SpotId is { Length: 0 })
        {
            return ApiProblems.Invalid("spotId must not be empty; leave it out to let the cloud choose a spot.");
        }

        var (quote, _, problem) = await quotes.PriceAsync(request.LotId!, type, start, end, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var now = timeProvider.GetUtcNow();
        var hold = new HoldRequest(
            Guid.CreateVersion7(now), userId, request.LotId!, type, request.SpotId, NormalisePlate(request.Plate), start, end,
            quote!.Total, quote.TariffVersion, quote.DemandMultiplierPercent, now, now + options.Value.HoldDuration);
        var result = await store.HoldAsync(hold, cancellationToken);
        switch (result.Status)
        {
            case HoldStatus.Held:
                var booking = result.Booking!;
                Log.BookingHeld(logger, booking.Id, booking.LotId, booking.SpotId, booking.StartTime, booking.EndTime);
                if (booking.StartTime <= now && now < booking.EndTime)
                {
                    // Only a window covering now changes the cached reserved count: reload the lot,
                    // a consistent snapshot of every type (no read-modify-write of the cache).
                    await availability.RefreshAfterCommitAsync(booking.LotId);
                }

                return TypedResults.Created($"/api/v1/bookings/{booking.Id}", BookingResponse.From(booking, now));
            case HoldStatus.NoCapacity:
                return ApiProblems.Conflict(
                    "Nothing free",
                    $"Lot '{hold.LotId}' has no reservable {Storage.DbValues.Name(type)} space left for the whole window {start:O} – {end:O}.");
            case HoldStatus.NoSpotFree:
                return ApiProblems.Conflict(
                    "Nothing free",
                    $"No single {Storage.DbValues.Name(type)} spot of lot '{hold.LotId}' is free for the whole window {start:O} – {end:O}.");
            case HoldStatus.SpotTaken:
                return ApiProblems.Conflict(
                    "Spot taken", $"Spot '{hold.SpotId}' of lot '{hold.LotId}' is already booked during {start:O} – {end:O}.");
            case HoldStatus.UnknownSpot:
                return ApiProblems.NotFound("Unknown spot", $"Lot '{hold.LotId}' has no spot '{hold.SpotId}'.");
            default:
                return ApiProblems.Unprocessable(
                    "Wrong vehicle type", $"Spot '{hold.SpotId}' is for {result.Detail}, not {Storage.DbValues.Name(type)}.");
        }
    }

    /// <summary>The user's booking; another user's is null, as if it did not exist (ids cannot be probed).</summary>
    public async Task<Booking?> FindAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        var booking = await store.GetAsync(id, cancellationToken);
        return booking is not null && string.Equals(booking.UserId, userId, StringComparison.Ordinal) ? booking : null;
    }

    public async Task<IReadOnlyList<BookingResponse>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return [.. (await store.ListByUserAsync(userId, ListLimit, cancellationToken)).Select(b => BookingResponse.From(b, now))];
    }

    /// <summary>
    /// Cancels the caller's held or confirmed booking. A hold cancels with no refund (nothing was paid);
    /// a confirmed booking gets back what the lot's refund policy says, through the gateway, and its pass
    /// is revoked in the store. The refund is recorded in the cancellation's transaction and sent after
    /// it on the host's token: a client hanging up does not stop the money going back.
    /// </summary>
    public async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> CancelAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var result = await lifecycle.CancelAsync(
            id, userId, now, (booking, paid) => payments.Value.RefundPolicyOf(booking.LotId).RefundOf(paid, booking.StartTime, now),
            Guid.CreateVersion7(now), cancellationToken);
        switch (result.Status)
        {
            case CancelStatus.Cancelled:
                var booking = result.Booking!;
                Log.BookingCancelled(logger, booking.Id, booking.LotId, booking.RefundMinor ?? 0);
                if (booking.StartTime <= now && now < booking.EndTime)
                {
                    // The cached reserved count is of bookings covering now; a later window leaves it alone.
                    await availability.RefreshAfterCommitAsync(booking.LotId);
                }

                if (result.Refund is { } refund)
                {
                    await PostCommit.RunAsync(logger, () => refunds.IssueAsync(refund, lifetime.ApplicationStopping));
                }

                return TypedResults.Ok(BookingResponse.From(booking, now));
            case CancelStatus.NotFound:
                return BookingProblems.NotFound(id);
            default:
                return ApiProblems.Conflict(
                    "Not cancellable", $"Booking {id} is {Storage.DbValues.Name(result.Booking!.StatusAt(now))}; only held or confirmed bookings can be cancelled.");
        }
    }

    /// <summary>The signed pass, or a problem: unknown/another's (404), or not confirmed (409: unpaid, cancelled, expired).</summary>
    public async Task<(string? Code, ProblemHttpResult? Problem)> PassAsync(string userId, Guid id, CancellationToken cancellationToken)
    {
        var booking = await FindAsync(userId, id, cancellationToken);
        if (booking is null)
        {
            return (null, BookingProblems.NotFound(id));
        }

        var now = timeProvider.GetUtcNow();
        var status = booking.StatusAt(now);
        if (!BookingLifecycle.HasPass(status))
        {
            return (null, ApiProblems.Conflict(
                "No pass",
                status == BookingStatus.Held
                    ? $"Booking {id} is held, not paid; pay it (POST /api/v1/payments) and its pass is issued."
                    : $"Booking {id} is {Storage.DbValues.Name(status)}; only a confirmed (paid) booking has a pass."));
        }

        return (passes.Sign(booking), null);
    }

    private static string? NormalisePlate(string? plate) =>
        string.IsNullOrWhiteSpace(plate) ? null : new string([.. plate.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);
}

internal static class BookingProblems
{
    public static ProblemHttpResult NotFound(Guid id) => ApiProblems.NotFound("Unknown booking", $"There is no booking {id} of yours.");
}

/// <summary>What the API returns for a booking (the owner is the caller, so not repeated).</summary>
internal sealed record BookingResponse(
    Guid Id,
    BookingStatus Status,
    string LotId,
    string SpotId,
    Shared.Contracts.VehicleType VehicleType,
    string? Plate,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    Money Amount,
    string TariffVersion,
    DateTimeOffset? ExpiresAt,
    int Version,
    DateTimeOffset CreatedAt,
    Money? Refund,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? PassRevokedAt)
{
    public static BookingResponse From(Booking b, DateTimeOffset now) => new(
        b.Id, b.StatusAt(now), b.LotId, b.SpotId, b.VehicleType, b.Plate, b.StartTime, b.EndTime, b.Amount, b.TariffVersion,
        b.Status == BookingStatus.Held ? b.ExpiresAt : null, b.Version, b.CreatedAt,
        b.RefundMinor is { } refund ? new Money(refund, b.Amount.Currency) : null, b.CancelledAt, b.PassRevokedAt);
}
