using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.RateLimiting;

namespace ParkingLot.Cloud.Auth;

/// <summary>
/// <c>/api/v1/auth</c>: register (driver role), sign in for a token pair, rotate it, sign out (this
/// device or everywhere), change the password; and <c>/api/v1/me</c>: the signed-in user. The auth
/// routes have their own stricter per-IP rate limit. Signing out revokes refresh tokens; an access
/// token already handed out stays valid until it expires (<c>Auth:AccessTokenLifetime</c>).
/// </summary>
internal static class AuthApi
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth").RequireRateLimiting(RateLimitingExtensions.AuthPolicy);
        group.MapPost("/register", Register).WithName(nameof(Register))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/token", Token).WithName(nameof(Token))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/refresh", Refresh).WithName(nameof(Refresh))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/logout", Logout).WithName(nameof(Logout))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/logout-all", LogoutEverywhere).WithName(nameof(LogoutEverywhere)).RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/password", ChangePassword).WithName(nameof(ChangePassword)).RequireAuthorization()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);

        app.MapGet("/api/v1/me", GetMe).WithTags("Auth").WithName(nameof(GetMe)).RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return group;
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        var errors = AccountService.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = await accounts.CreateUserAsync(request.Email!, request.Password!, request.Name!, [Roles.Driver], cancellationToken);
        return user is null ? AuthProblems.EmailTaken() : TypedResults.Created("/api/v1/me", UserResponse.From(user));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Token(
        TokenRequest request, AccountService accounts, TokenService tokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [string.IsNullOrEmpty(request.Email) ? "email" : "password"] = ["E-mail and password are required."],
            });
        }

        var user = await accounts.SignInAsync(request.Email, request.Password, cancellationToken);
        return user is null ? AuthProblems.InvalidCredentials() : TypedResults.Ok(await tokens.IssueAsync(user, familyId: null, cancellationToken));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken) || request.RefreshToken.Length > 200)
        {
            return AuthProblems.Invalid("refreshToken", "A refresh token is required.");
        }

        var pair = await tokens.RefreshAsync(request.RefreshToken, cancellationToken);
        return pair is null ? AuthProblems.InvalidRefreshToken() : TypedResults.Ok(pair);
    }

    /// <summary>Signs this device out: the refresh token's whole rotation family is revoked.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Logout(
        RefreshRequest request, IAccountStore store, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken) || request.RefreshToken.Length > 200)
        {
            return AuthProblems.Invalid("refreshToken", "A refresh token is required.");
        }

        return await store.RevokeRefreshFamilyOfAsync(TokenService.HashRefreshToken(request.RefreshToken), timeProvider.GetUtcNow(), cancellationToken)
            ? TypedResults.NoContent()
            : AuthProblems.InvalidRefreshToken();
    }

    /// <summary>Signs the caller out on every device: all their refresh tokens are revoked.</summary>
    public static async Task<NoContent> LogoutEverywhere(
        ClaimsPrincipal principal, IAccountStore store, TimeProvider timeProvider, ILogger<AccountService> logger, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var revoked = await store.RevokeUserRefreshTokensAsync(userId, timeProvider.GetUtcNow(), cancellationToken);
        Log.SignedOutEverywhere(logger, userId, revoked);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Changes the caller's password and signs them out everywhere; the answer is a fresh token pair,
    /// so the device that made the change stays signed in.
    /// </summary>
    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, ClaimsPrincipal principal, AccountService accounts, TokenService tokens, IAccountStore store,
        CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var (outcome, errors) = await accounts.ChangePasswordAsync(userId, request.CurrentPassword, request.NewPassword, cancellationToken);
        if (outcome == PasswordChange.Refused)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = outcome == PasswordChange.Changed ? await store.FindByIdAsync(userId, cancellationToken) : null;
        return user is null ? AuthProblems.UnknownUser(userId) : TypedResults.Ok(await tokens.IssueAsync(user, familyId: null, cancellationToken));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMe(
        ClaimsPrincipal principal, IAccountStore store, CancellationToken cancellationToken)
    {
        var user = await store.FindByIdAsync(principal.GetUserId(), cancellationToken);
        return user is null ? AuthProblems.UnknownUser(principal.GetUserId()) : TypedResults.Ok(UserResponse.From(user));
    }
}
