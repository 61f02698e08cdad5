using System.Security.Claims;

namespace ParkingLot.Cloud.Auth;

/// <summary>The claims our access tokens carry (inbound claim mapping is off, so the names stay as issued).</summary>
internal static class AuthClaims
{
    /// <summary>The user id, a GUID ("D" format).</summary>
    public const string Subject = "sub";

    public const string Role = "role";

    public const string Email = "email";
}

internal static class ClaimsPrincipalExtensions
{
    /// <summary>
    /// The signed-in user's id from the <c>sub</c> claim. Call it only behind an authorization policy;
    /// an anonymous principal here is a wiring bug, hence the exception.
    /// </summary>
    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        principal.TryGetUserId(out var id)
            ? id
            : throw new InvalidOperationException("The request has no authenticated user; is the endpoint missing RequireAuthorization?");

    public static bool TryGetUserId(this ClaimsPrincipal principal, out Guid userId)
    {
        userId = default;
        return principal.Identity?.IsAuthenticated == true
            && principal.FindFirst(AuthClaims.Subject)?.Value is { } value
            && Guid.TryParseExact(value, "D", out userId);
    }

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.IsInRole(Roles.Admin);
}
