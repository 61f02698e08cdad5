using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Idempotency;

namespace ParkingLot.Cloud.Auth;

/// <summary><c>/api/v1/me/vehicles</c>: the vehicles on the signed-in driver's profile; only ever the caller's own.</summary>
internal static class VehiclesApi
{
    public static RouteGroupBuilder MapVehicles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/me/vehicles").WithTags("Vehicles").RequireAuthorization(Policies.Driver);
        group.MapGet("/", ListVehicles).WithName(nameof(ListVehicles));
        group.MapPost("/", AddVehicle).WithName(nameof(AddVehicle)).WithIdempotency()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{vehicleId:guid}", DeleteVehicle).WithName(nameof(DeleteVehicle))
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<Vehicle>>> ListVehicles(ClaimsPrincipal user, IAccountStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListVehiclesAsync(user.GetUserId(), cancellationToken));

    public static async Task<Results<Created<Vehicle>, ValidationProblem, ProblemHttpResult>> AddVehicle(
        AddVehicleRequest request, ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var plate = AccountService.NormalizePlate(request.Plate);
        if (plate is null)
        {
            errors["plate"] = ["A plate of 1–15 letters, digits, spaces or '-' is required."];
        }

        // The JSON enum converter also takes numbers, so an undefined value can get this far.
        if (request.VehicleType is not { } vehicleType || !Enum.IsDefined(vehicleType))
        {
            errors["vehicleType"] = ["One of car, motorcycle, truck, accessible, ev is required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var vehicle = await accounts.AddVehicleAsync(user.GetUserId(), plate!, request.VehicleType!.Value, cancellationToken);
        return vehicle is null
            ? AuthProblems.DuplicatePlate(plate!)
            : TypedResults.Created($"/api/v1/me/vehicles/{vehicle.Id:D}", vehicle);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteVehicle(
        Guid vehicleId, ClaimsPrincipal user, IAccountStore store, CancellationToken cancellationToken) =>
        await store.DeleteVehicleAsync(user.GetUserId(), vehicleId, cancellationToken)
            ? TypedResults.NoContent()
            : AuthProblems.UnknownVehicle(vehicleId);
}
