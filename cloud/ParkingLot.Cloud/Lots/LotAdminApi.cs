using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Availability;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// <c>/api/v1/admin/lots</c>: operators manage their lots (spots, capacity split, tariff); admins
/// manage every lot and create new ones. A lot outside the caller's scope answers 404, like an
/// unknown one, so ids cannot be probed. Every refusal changes nothing.
/// </summary>
internal static class LotAdminApi
{
    public const int MaxSpotsPerRequest = 5000;

    public static RouteGroupBuilder MapLotAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/lots").WithTags("Lot administration").RequireAuthorization(Policies.Operator);
        group.MapPost("/", CreateLot).WithName(nameof(CreateLot)).RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{lotId}", UpdateLot).WithName(nameof(UpdateLot))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{lotId}/spots", AddSpots).WithName(nameof(AddSpots))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{lotId}/capacity", GetCapacity).WithName(nameof(GetCapacity)).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{lotId}/capacity", SetCapacity).WithName(nameof(SetCapacity))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{lotId}/tariff", PublishTariff).WithName(nameof(PublishTariff))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    public static async Task<Results<Created<LotDetails>, ProblemHttpResult>> CreateLot(
        LotRequest request, ClaimsPrincipal user, LotAdminService lots, CancellationToken cancellationToken)
    {
        if (request.Id is null)
        {
            return ApiProblems.Invalid("id is required.");
        }

        var (details, problem) = await lots.CreateAsync(request, Actor(user), cancellationToken);
        return problem ?? (Results<Created<LotDetails>, ProblemHttpResult>)TypedResults.Created($"/api/v1/lots/{details!.Id}", details);
    }

    public static async Task<Results<Ok<LotDetails>, ProblemHttpResult>> UpdateLot(
        string lotId, LotRequest request, ClaimsPrincipal user, LotScope scope, LotAdminService lots, CancellationToken cancellationToken)
    {
        if (await ScopeProblemAsync(lotId, user, scope, cancellationToken) is { } scopeProblem)
        {
            return scopeProblem;
        }

        if (request.Id is not null && !string.Equals(request.Id, lotId, StringComparison.Ordinal))
        {
            return ApiProblems.Invalid($"The body's id '{request.Id}' is not the lot '{lotId}' of the path; a lot id cannot change.");
        }

        var (details, problem) = await lots.UpdateAsync(request with { Id = lotId }, Actor(user), cancellationToken);
        return problem ?? (Results<Ok<LotDetails>, ProblemHttpResult>)TypedResults.Ok(details!);
    }

    public static async Task<Results<Ok<IReadOnlyList<SpotInfo>>, ProblemHttpResult>> AddSpots(
        string lotId, SpotsRequest request, ClaimsPrincipal user, LotScope scope, LotAdminService lots, CancellationToken cancellationToken)
    {
        if (await ScopeProblemAsync(lotId, user, scope, cancellationToken) is { } scopeProblem)
        {
            return scopeProblem;
        }

        if (request.Spots is null || request.Spots.Count is 0 or > MaxSpotsPerRequest)
        {
            return ApiProblems.Invalid($"spots must hold 1–{MaxSpotsPerRequest} spots.");
        }

        var (spots, problem) = await lots.AddSpotsAsync(lotId, request.Spots, Actor(user), cancellationToken);
        return problem ?? (Results<Ok<IReadOnlyList<SpotInfo>>, ProblemHttpResult>)TypedResults.Ok(spots!);
    }

    public static async Task<Results<Ok<CapacitySplit>, ProblemHttpResult>> GetCapacity(
        string lotId, ClaimsPrincipal user, LotScope scope, ILotStore store, CancellationToken cancellationToken)
    {
        if (await ScopeProblemAsync(lotId, user, scope, cancellationToken) is { } scopeProblem)
        {
            return scopeProblem;
        }

        var split = await store.GetCapacityAsync(lotId, cancellationToken);
        return split is null ? LotProblems.UnknownLot(lotId) : TypedResults.Ok(split);
    }

    public static async Task<Results<Ok<CapacitySplit>, ProblemHttpResult>> SetCapacity(
        string lotId, CapacityRequest request, ClaimsPrincipal user, LotScope scope, LotAdminService lots, CancellationToken cancellationToken)
    {
        if (await ScopeProblemAsync(lotId, user, scope, cancellationToken) is { } scopeProblem)
        {
            return scopeProblem;
        }

        if (request.Reservable is null)
        {
            return ApiProblems.Invalid("reservable is required, e.g. {\"reservable\": {\"car\": 20}}.");
        }

        var (split, problem) = await lots.SetCapacityAsync(lotId, request.Reservable, Actor(user), cancellationToken);
        return problem ?? (Results<Ok<CapacitySplit>, ProblemHttpResult>)TypedResults.Ok(split!);
    }

    public static async Task<Results<Ok<TariffDefinition>, ProblemHttpResult>> PublishTariff(
        string lotId, TariffDefinition tariff, ClaimsPrincipal user, LotScope scope, LotAdminService lots, CancellationToken cancellationToken)
    {
        if (await ScopeProblemAsync(lotId, user, scope, cancellationToken) is { } scopeProblem)
        {
            return scopeProblem;
        }

        var problem = await lots.PublishTariffAsync(lotId, tariff, Actor(user), cancellationToken);
        return problem ?? (Results<Ok<TariffDefinition>, ProblemHttpResult>)TypedResults.Ok(tariff);
    }

    private static async Task<ProblemHttpResult?> ScopeProblemAsync(string lotId, ClaimsPrincipal user, LotScope scope, CancellationToken cancellationToken)
    {
        if (!LotId.IsValid(lotId))
        {
            return LotProblems.InvalidLotId(lotId);
        }

        return await scope.CanManageAsync(user, lotId, cancellationToken) ? null : LotProblems.UnknownLot(lotId);
    }

    private static string Actor(ClaimsPrincipal user) => user.GetUserId().ToString("D");
}

/// <summary>The body of <c>POST/PUT /api/v1/admin/lots</c>; the tariff is optional (also <c>PUT …/tariff</c>).</summary>
public sealed record LotRequest(
    [StringLength(64)] string? Id,
    [Required, StringLength(200, MinimumLength = 1)] string? Name,
    [Required] GeoPoint? Location,
    [Required, StringLength(64, MinimumLength = 1)] string? TimeZone,
    IReadOnlyList<OpeningHours>? OpeningHours,
    [Required, MinLength(1)] IReadOnlyList<VehicleType>? VehicleTypes,
    TariffDefinition? Tariff);

/// <summary>The body of <c>POST /api/v1/admin/lots/{id}/spots</c>: spots in order, nearest the entrance first.</summary>
public sealed record SpotsRequest([Required, MinLength(1), MaxLength(LotAdminApi.MaxSpotsPerRequest)] IReadOnlyList<SpotRequest>? Spots);

public sealed record SpotRequest(
    [Required, StringLength(64, MinimumLength = 1)] string? Id,
    [Required] VehicleType? VehicleType,
    [Required, StringLength(64, MinimumLength = 1)] string? Zone,
    [StringLength(64)] string? SensorId);

/// <summary>The body of <c>PUT /api/v1/admin/lots/{id}/capacity</c>: reservable spaces by vehicle type name, e.g. <c>{"car": 20}</c>.</summary>
public sealed record CapacityRequest([Required] IReadOnlyDictionary<string, int>? Reservable);
