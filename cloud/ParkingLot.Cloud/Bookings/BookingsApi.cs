using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Shared.Contracts;
using QRCoder;

namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// <c>/api/v1/bookings</c>: a driver's own bookings. Every route reads the caller from the token; another
/// driver's booking id answers 404, never 403, so ids cannot be probed.
/// </summary>
internal static class BookingsApi
{
    public static RouteGroupBuilder MapBookings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/bookings").WithTags("Bookings").RequireAuthorization(Policies.Driver);
        group.MapPost("/", CreateBooking)
            .WithName(nameof(CreateBooking))
            .WithIdempotency()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", ListBookings).WithName(nameof(ListBookings));
        group.MapGet("/{id:guid}", GetBooking).WithName(nameof(GetBooking)).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/cancel", CancelBooking)
            .WithName(nameof(CancelBooking))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:guid}/pass", GetPass)
            .WithName(nameof(GetPass))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static Task<Results<Created<BookingResponse>, ProblemHttpResult>> CreateBooking(
        BookingRequest request, ClaimsPrincipal user, BookingService bookings, CancellationToken cancellationToken) =>
        bookings.HoldAsync(UserKey(user), request, cancellationToken);

    public static async Task<Ok<IReadOnlyList<BookingResponse>>> ListBookings(
        ClaimsPrincipal user, BookingService bookings, CancellationToken cancellationToken) =>
        TypedResults.Ok(await bookings.ListAsync(UserKey(user), cancellationToken));

    public static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetBooking(
        Guid id, ClaimsPrincipal user, BookingService bookings, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var booking = await bookings.FindAsync(UserKey(user), id, cancellationToken);
        return booking is null ? BookingProblems.NotFound(id) : TypedResults.Ok(BookingResponse.From(booking, timeProvider.GetUtcNow()));
    }

    public static Task<Results<Ok<BookingResponse>, ProblemHttpResult>> CancelBooking(
        Guid id, ClaimsPrincipal user, BookingService bookings, CancellationToken cancellationToken) =>
        bookings.CancelAsync(UserKey(user), id, cancellationToken);

    /// <summary>The pass as text (<c>text/plain</c>), or as a QR code with <c>?format=png</c> or <c>?format=svg</c>.</summary>
    public static async Task<Results<ContentHttpResult, FileContentHttpResult, ProblemHttpResult>> GetPass(
        Guid id, string? format, ClaimsPrincipal user, BookingService bookings, CancellationToken cancellationToken)
    {
        if (format is not (null or "text" or "png" or "svg"))
        {
            return ApiProblems.Invalid($"format '{(format.Length > 16 ? format[..16] + "…" : format)}' is not one of text, png, svg.");
        }

        var (code, problem) = await bookings.PassAsync(UserKey(user), id, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (format is null or "text")
        {
            return TypedResults.Text(code!, "text/plain");
        }

        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code!, QRCodeGenerator.ECCLevel.M);
        return format == "png"
            ? TypedResults.File(new PngByteQRCode(data).GetGraphic(8), "image/png")
            : TypedResults.Text(new SvgQRCode(data).GetGraphic(8), "image/svg+xml");
    }

    /// <summary>Bookings are keyed by the user id as text ("D" GUID), the same in both stores.</summary>
    private static string UserKey(ClaimsPrincipal user) => user.GetUserId().ToString("D");
}

/// <summary>The body of <c>POST /api/v1/bookings</c>; without <see cref="SpotId"/> the cloud picks the spot nearest the entrance.</summary>
public sealed record BookingRequest(
    [Required, StringLength(64)] string? LotId,
    [Required] VehicleType? VehicleType,
    [StringLength(64)] string? SpotId,
    [StringLength(16)] string? Plate,
    [Required] DateTimeOffset? StartTime,
    [Required] DateTimeOffset? EndTime);
