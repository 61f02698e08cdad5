using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Quotes;

/// <summary><c>POST /api/v1/quotes</c>: the price of a window, as a booking would lock it.</summary>
internal static class QuotesApi
{
    public static RouteGroupBuilder MapQuotes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/quotes").WithTags("Quotes");
        group.MapPost("/", CreateQuote)
            .WithName(nameof(CreateQuote))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    public static async Task<Results<Ok<FeeQuote>, ProblemHttpResult>> CreateQuote(
        QuoteRequest request, QuoteService quotes, CancellationToken cancellationToken)
    {
        if (ApiProblems.Missing(("lotId", request.LotId), ("vehicleType", request.VehicleType), ("startTime", request.StartTime), ("endTime", request.EndTime)) is { } missing)
        {
            return missing;
        }

        var (quote, _, problem) = await quotes.PriceAsync(
            request.LotId!, request.VehicleType!.Value, request.StartTime!.Value, request.EndTime!.Value, cancellationToken);
        return problem ?? (Results<Ok<FeeQuote>, ProblemHttpResult>)TypedResults.Ok(quote!);
    }
}

/// <summary>The body of <c>POST /api/v1/quotes</c>.</summary>
public sealed record QuoteRequest(
    [Required, StringLength(64)] string? LotId,
    [Required] VehicleType? VehicleType,
    [Required] DateTimeOffset? StartTime,
    [Required] DateTimeOffset? EndTime);
