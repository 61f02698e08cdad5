using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Lots;

namespace ParkingLot.Cloud.Auth;

/// <summary><c>/api/v1/admin/users/{id}</c>: roles and operated lots of a user; admins only.</summary>
internal static class AdminUsersApi
{
    public static RouteGroupBuilder MapAdminUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/users").WithTags("Admin").RequireAuthorization(Policies.Admin);
        group.MapGet("/{userId:guid}/roles", GetRoles).WithName(nameof(GetRoles)).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{userId:guid}/roles", SetRoles).WithName(nameof(SetRoles))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{userId:guid}/lots", GetLots).WithName(nameof(GetLots)).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{userId:guid}/lots", SetLots).WithName(nameof(SetLots))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<RolesResponse>, ProblemHttpResult>> GetRoles(Guid userId, IAccountStore store, CancellationToken cancellationToken)
    {
        var user = await store.FindByIdAsync(userId, cancellationToken);
        return user is null ? AuthProblems.UnknownUser(userId) : TypedResults.Ok(new RolesResponse(userId, user.Roles));
    }

    /// <summary>Replaces the roles; they apply from the user's next token (sign-in or refresh).</summary>
    public static async Task<Results<Ok<RolesResponse>, ValidationProblem, ProblemHttpResult>> SetRoles(
        Guid userId, SetRolesRequest request, IAccountStore store, ILogger<AccountService> logger, CancellationToken cancellationToken)
    {
        if (request.Roles is not { Count: > 0 } roles || !roles.All(Roles.IsValid))
        {
            return AuthProblems.Invalid("roles", $"A non-empty list of roles from: {string.Join(", ", Roles.All)}.");
        }

        var distinct = roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        switch (await store.SetRolesAsync(userId, distinct, cancellationToken))
        {
            case RoleChange.Done:
                return TypedResults.Ok(new RolesResponse(userId, distinct));
            case RoleChange.LastAdmin:
                Log.LastAdminKept(logger, userId);
                return AuthProblems.LastAdmin(userId);
            default:
                return AuthProblems.UnknownUser(userId);
        }
    }

    public static async Task<Results<Ok<LotsResponse>, ProblemHttpResult>> GetLots(Guid userId, IAccountStore store, CancellationToken cancellationToken) =>
        await store.FindByIdAsync(userId, cancellationToken) is null
            ? AuthProblems.UnknownUser(userId)
            : TypedResults.Ok(new LotsResponse(userId, await store.GetOperatorLotsAsync(userId, cancellationToken)));

    public static async Task<Results<Ok<LotsResponse>, ValidationProblem, ProblemHttpResult>> SetLots(
        Guid userId, SetLotsRequest request, IAccountStore store, ILotStore lots, CancellationToken cancellationToken)
    {
        if (request.LotIds is not { } lotIds || lotIds.Count > 10_000 || !lotIds.All(LotId.IsValid))
        {
            return AuthProblems.Invalid("lotIds", $"A list of lot ids ({LotId.Rule}).");
        }

        var distinct = lotIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var lotId in distinct)
        {
            if (await lots.GetAsync(lotId, cancellationToken) is null)
            {
                return LotProblems.UnknownLot(lotId);
            }
        }

        return await store.SetOperatorLotsAsync(userId, distinct, cancellationToken)
            ? TypedResults.Ok(new LotsResponse(userId, distinct))
            : AuthProblems.UnknownUser(userId);
    }
}
