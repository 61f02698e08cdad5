using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Search;

/// <summary><c>POST /api/v1/parking/search</c>: lots near a point, nearest first, with availability and a quote.</summary>
internal static class SearchApi
{
    public static RouteGroupBuilder MapSearch(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/parking").WithTags("Search");
        group.MapPost("/search", SearchParking)
            .WithName(nameof(SearchParking))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<SearchResult>>, ProblemHttpResult>> SearchParking(
        SearchRequest request, SearchService search, CancellationToken cancellationToken)
    {
        var (results, problem) = await search.SearchAsync(request, cancellationToken);
        return problem ?? (Results<Ok<IReadOnlyList<SearchResult>>, ProblemHttpResult>)TypedResults.Ok(results!);
    }
}

/// <summary>
/// The body of the search. Without a window the quote is for the next hour; without a vehicle type
/// every lot in range is listed and none is quoted.
/// </summary>
public sealed record SearchRequest(
    [Required, Range(-90.0, 90.0)] double? Lat,
    [Required, Range(-180.0, 180.0)] double? Lng,
    [Required, Range(1.0, SearchService.MaxRadiusMeters)] double? RadiusMeters,
    VehicleType? VehicleType,
    DateTimeOffset? From,
    DateTimeOffset? To);
