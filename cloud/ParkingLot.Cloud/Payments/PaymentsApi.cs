using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Shared;

namespace ParkingLot.Cloud.Payments;

/// <summary>
/// <c>/api/v1/payments</c>: pay a held booking, Stripe's webhook, and a booking's payments and refunds.
/// The payment POST handles its Idempotency-Key itself, inside the store transaction that starts the
/// attempt (not through the generic filter), so the key and the effect commit together.
/// </summary>
internal static class PaymentsApi
{
    public static IEndpointRouteBuilder MapPayments(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/payments").WithTags("Payments");
        group.MapPost("/", Pay)
            .WithName(nameof(Pay))
            .RequireAuthorization(Policies.Driver)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        // Stripe calls it: no token, the signature is the authentication.
        group.MapPost("/webhook", Webhook).WithName(nameof(Webhook)).AllowAnonymous().ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/api/v1/bookings/{id:guid}/payments", BookingPayments)
            .WithTags("Payments")
            .WithName(nameof(BookingPayments))
            .RequireAuthorization(Policies.Driver)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> Pay(
        PaymentRequest request,
        [FromHeader(Name = IdempotencyFilter.HeaderName)] string? idempotencyKey,
        ClaimsPrincipal user,
        PaymentService payments,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null && !IdempotencyFilter.IsValidKey(idempotencyKey))
        {
            return IdempotencyProblems.InvalidKey();
        }

        var result = await payments.PayAsync(user.GetUserId().ToString("D"), request, idempotencyKey, cancellationToken);
        if (result.Result is ProblemHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable } problem
            && problem.ProblemDetails.Extensions.TryGetValue("retryAfterSeconds", out var seconds))
        {
            http.Response.Headers.RetryAfter = Convert.ToString(seconds, System.Globalization.CultureInfo.InvariantCulture);
        }

        return result;
    }

    public static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Webhook(HttpRequest request, PaymentWebhook webhook, CancellationToken cancellationToken)
    {
        // The signature covers the exact bytes, so the body is read as text, never re-serialised.
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        return await webhook.HandleAsync(body, request.Headers[PaymentWebhook.SignatureHeader].FirstOrDefault(), cancellationToken);
    }

    public static Task<Results<Ok<BookingMoneyResponse>, ProblemHttpResult>> BookingPayments(
        Guid id, ClaimsPrincipal user, PaymentService payments, IBookingStore bookings, CancellationToken cancellationToken) =>
        payments.MoneyAsync(user.GetUserId().ToString("D"), id, bookings, cancellationToken);
}

/// <summary>
/// The body of <c>POST /api/v1/payments</c>. <see cref="PaymentMethod"/> is a Stripe payment method id
/// (from Stripe.js, or a test card such as <c>pm_card_visa</c>); without it the answer carries the
/// client secret for confirming on the driver's device. <see cref="RedeemPoints"/> pays part with loyalty
/// points (1 point = 1 minor unit). Card numbers never come here (I8).
/// Public so that .NET's validation generator sees it (it skips internal types): the declared limits are
/// enforced before the handler runs, as for every request record.
/// </summary>
public sealed record PaymentRequest(
    [Required] Guid? BookingId,
    [StringLength(64)] string? PaymentMethod,
    [Range(0, 100_000_000)] long? RedeemPoints = null);

/// <summary>A payment attempt as the driver sees it.</summary>
internal sealed record PaymentResponse(
    Guid PaymentId,
    Guid BookingId,
    BookingStatus BookingStatus,
    PaymentStatus Status,
    Money Amount,
    string Gateway,
    int Attempt,
    string? ClientSecret,
    string? Error,
    DateTimeOffset? HoldExpiresAt,
    Money TierDiscount,
    long PointsRedeemed)
{
    public static PaymentResponse From(Payment payment, Booking booking, DateTimeOffset now, string? clientSecret) => new(
        payment.Id, booking.Id, booking.StatusAt(now), payment.Status, payment.Amount,
        payment.Gateway == PaymentGatewayKind.Test ? "test gateway (no money taken)" : "stripe",
        payment.Attempt, clientSecret, payment.Error, booking.StatusAt(now) == BookingStatus.Held ? booking.ExpiresAt : null,
        payment.Amount with { Minor = payment.TierDiscountMinor }, payment.PointsRedeemed);
}

internal sealed record RefundResponse(Guid RefundId, Guid PaymentId, Money Amount, RefundStatus Status, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    public static RefundResponse From(Refund r) => new(r.Id, r.PaymentId, r.Amount, r.Status, r.Reason, r.CreatedAt, r.CompletedAt);
}

/// <summary>The money of one booking: every payment attempt and every refund.</summary>
internal sealed record BookingMoneyResponse(Guid BookingId, BookingStatus Status, IReadOnlyList<PaymentResponse> Payments, IReadOnlyList<RefundResponse> Refunds);
