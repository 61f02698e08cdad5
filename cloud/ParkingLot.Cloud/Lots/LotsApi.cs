using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Lots;

/// <summary><c>/api/v1/lots</c>: the lot catalogue the dashboard and apps list.</summary>
internal static class LotsApi
{
    public static RouteGroupBuilder MapLots(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/lots").WithTags("Lots");
        group.MapGet("/", ListLots).WithName(nameof(ListLots));
        group.MapGet("/{lotId}", GetLot).WithName(nameof(GetLot)).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{lotId}/spots", ListSpots).WithName(nameof(ListSpots)).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<LotSummary>>> ListLots(ILotStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    public static async Task<Results<Ok<LotDetails>, ProblemHttpResult>> GetLot(string lotId, ILotStore store, CancellationToken cancellationToken)
    {
        if (!LotId.IsValid(lotId))
        {
            return LotProblems.InvalidLotId(lotId);
        }

        var lot = await store.GetAsync(lotId, cancellationToken);
        return lot is null ? LotProblems.UnknownLot(lotId) : TypedResults.Ok(lot);
    }

    /// <summary>Spots of a lot, nearest the entrance first, optionally of one vehicle type (<c>?vehicleType=car</c>).</summary>
    public static async Task<Results<Ok<IReadOnlyList<SpotInfo>>, ProblemHttpResult>> ListSpots(
        string lotId, string? vehicleType, ILotStore store, CancellationToken cancellationToken)
    {
        if (!LotId.IsValid(lotId))
        {
            return LotProblems.InvalidLotId(lotId);
        }

        VehicleType? type = null;
        if (vehicleType is not null)
        {
            if (!LotAdminService.TryParseType(vehicleType, out var parsed))
            {
                return ApiProblems.Invalid($"vehicleType '{(vehicleType.Length > 32 ? vehicleType[..32] + "…" : vehicleType)}' is not a vehicle type.");
            }

            type = parsed;
        }

        var spots = await store.ListSpotsAsync(lotId, type, cancellationToken);
        return spots is null ? LotProblems.UnknownLot(lotId) : TypedResults.Ok(spots);
    }
}

/// <summary>The 4xx problems every lot-scoped endpoint shares.</summary>
internal static class LotProblems
{
    public static ProblemHttpResult InvalidLotId(string lotId) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid lot id",
            detail: $"'{Truncate(lotId)}' is not a lot id ({LotId.Rule}).");

    public static ProblemHttpResult UnknownLot(string lotId) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Unknown lot",
            detail: $"There is no lot '{lotId}'.");

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
