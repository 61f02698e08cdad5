using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Lots;

namespace ParkingLot.Cloud.Availability;

/// <summary><c>GET /api/v1/lots/{lotId}/availability</c>: the hot read path, served from the cache.</summary>
internal static class AvailabilityApi
{
    public static RouteGroupBuilder MapAvailability(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/lots").WithTags("Availability");
        group.MapGet("/{lotId}/availability", GetAvailability)
            .WithName(nameof(GetAvailability))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<LotAvailability>, ProblemHttpResult>> GetAvailability(
        string lotId, AvailabilityService availability, CancellationToken cancellationToken)
    {
        if (!LotId.IsValid(lotId))
        {
            return LotProblems.InvalidLotId(lotId);
        }

        var result = await availability.GetAsync(lotId, cancellationToken);
        return result is null ? LotProblems.UnknownLot(lotId) : TypedResults.Ok(result);
    }
}
