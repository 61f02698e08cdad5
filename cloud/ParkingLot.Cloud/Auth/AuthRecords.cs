using System.Text.Json.Serialization;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Auth;

// Request bodies refuse unknown members: a client that sends "roles" or a misspelt field gets a 400
// instead of an account or vehicle that silently differs from what it asked for.

/// <summary><c>POST /api/v1/auth/register</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record RegisterRequest(string? Email, string? Password, string? Name);

/// <summary><c>POST /api/v1/auth/token</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record TokenRequest(string? Email, string? Password);

/// <summary><c>POST /api/v1/auth/refresh</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record RefreshRequest(string? RefreshToken);

/// <summary><c>POST /api/v1/auth/password</c>: the current password proves it is the user, not a borrowed session.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>A user as the API shows it (never the password hash).</summary>
internal sealed record UserResponse(Guid Id, string Email, string Name, IReadOnlyList<string> Roles)
{
    public static UserResponse From(UserAccount user) => new(user.Id, user.Email, user.Name, user.Roles);
}

/// <summary><c>POST /api/v1/me/vehicles</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record AddVehicleRequest(string? Plate, VehicleType? VehicleType);

/// <summary><c>PUT /api/v1/admin/users/{id}/roles</c>: the complete new set.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record SetRolesRequest(IReadOnlyList<string>? Roles);

/// <summary><c>PUT /api/v1/admin/users/{id}/lots</c>: the complete set of lots an operator manages.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record SetLotsRequest(IReadOnlyList<string>? LotIds);

internal sealed record RolesResponse(Guid UserId, IReadOnlyList<string> Roles);

internal sealed record LotsResponse(Guid UserId, IReadOnlyList<string> LotIds);
