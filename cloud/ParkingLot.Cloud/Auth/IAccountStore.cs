using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Auth;

/// <summary>
/// Users, their roles, refresh tokens, operator lots and vehicles. The embedded store implements it on
/// SQLite, the production store on PostgreSQL; one contract suite runs against both.
/// </summary>
internal interface IAccountStore
{
    /// <summary>False when the (normalised) e-mail is taken.</summary>
    Task<bool> CreateUserAsync(UserAccount user, CancellationToken cancellationToken);

    Task<UserAccount?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken);

    Task<UserAccount?> FindByIdAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the user's roles. Refused (<see cref="RoleChange.LastAdmin"/>, nothing changed) when it
    /// would leave no admin where there was one: role changes are serialised, so two admins demoting
    /// each other at once cannot both succeed.
    /// </summary>
    Task<RoleChange> SetRolesAsync(Guid userId, IReadOnlyCollection<string> roles, CancellationToken cancellationToken);

    /// <summary>Replaces the user's password hash; false for an unknown user.</summary>
    Task<bool> SetPasswordHashAsync(Guid userId, string passwordHash, CancellationToken cancellationToken);

    /// <summary>Marks every unused refresh token of the user used (sign out everywhere); the number revoked.</summary>
    Task<int> RevokeUserRefreshTokensAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every unused token of the rotation family of this token used (sign out this device); false
    /// when no such token exists.
    /// </summary>
    Task<bool> RevokeRefreshFamilyOfAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> AnyUserInRoleAsync(string role, CancellationToken cancellationToken);

    Task<long> CountUsersAsync(CancellationToken cancellationToken);

    Task StoreRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken);

    /// <summary>
    /// Marks an unused, unexpired token used and returns its owner, in one atomic step, so two
    /// concurrent refreshes with one token cannot both succeed.
    /// </summary>
    Task<RefreshRedemption> RedeemRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks every token of a rotation family used: after a stolen token was replayed.</summary>
    Task RevokeRefreshFamilyAsync(Guid familyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Replaces the lots an operator manages; false for an unknown user.</summary>
    Task<bool> SetOperatorLotsAsync(Guid userId, IReadOnlyCollection<string> lotIds, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> GetOperatorLotsAsync(Guid userId, CancellationToken cancellationToken);

    Task<bool> IsOperatorOfLotAsync(Guid userId, string lotId, CancellationToken cancellationToken);

    /// <summary>False when the user already has a vehicle with this plate.</summary>
    Task<bool> AddVehicleAsync(Guid userId, Vehicle vehicle, CancellationToken cancellationToken);

    Task<IReadOnlyList<Vehicle>> ListVehiclesAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Deletes only the owner's vehicle; false when the user has no such vehicle.</summary>
    Task<bool> DeleteVehicleAsync(Guid userId, Guid vehicleId, CancellationToken cancellationToken);
}

/// <summary>A stored user. <see cref="Email"/> is normalised (trimmed, lower case); the hash is the framework hasher's.</summary>
internal sealed record UserAccount(Guid Id, string Email, string Name, string PasswordHash, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

/// <summary>A refresh token as stored: only its SHA-256, never the token itself.</summary>
internal sealed record RefreshTokenRecord(string TokenHash, Guid UserId, Guid FamilyId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

internal enum RoleChange
{
    Done,
    UnknownUser,

    /// <summary>The change would remove the last admin.</summary>
    LastAdmin,
}

internal enum RefreshOutcome
{
    /// <summary>The token was valid and is now used.</summary>
    Redeemed,

    /// <summary>The token had been used already: a replay; its family gets revoked.</summary>
    Reused,

    /// <summary>Unknown or expired.</summary>
    Invalid,
}

internal sealed record RefreshRedemption(RefreshOutcome Outcome, Guid UserId, Guid FamilyId)
{
    public static RefreshRedemption Invalid { get; } = new(RefreshOutcome.Invalid, Guid.Empty, Guid.Empty);
}

/// <summary>A vehicle on a driver's profile. <see cref="Plate"/> is normalised (upper case, single spaces).</summary>
internal sealed record Vehicle(Guid Id, string Plate, VehicleType VehicleType, DateTimeOffset CreatedAt);
