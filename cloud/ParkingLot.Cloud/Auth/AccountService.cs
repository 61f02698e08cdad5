using System.Net.Mail;
using Microsoft.AspNetCore.Identity;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Auth;

/// <summary>Registration, sign-in and the driver's vehicles: the rules, in one place.</summary>
internal sealed class AccountService(IAccountStore store, IPasswordHasher<UserAccount> hasher, TimeProvider timeProvider, ILogger<AccountService> logger)
{
    public const int MinimumPasswordLength = 10;
    public const int MaximumPasswordLength = 128;

    // Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password
    // and response times do not tell which accounts exist.
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Decoy, Guid.NewGuid().ToString()));

    private static readonly UserAccount Decoy = new(Guid.Empty, "decoy@invalid", "decoy", string.Empty, [], DateTimeOffset.UnixEpoch);

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Field errors of a registration, empty when it is acceptable.</summary>
    public static Dictionary<string, string[]> Validate(RegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (EmailProblem(request.Email) is { } email)
        {
            errors["email"] = [email];
        }

        if (PasswordProblem(request.Password, request.Email) is { } password)
        {
            errors["password"] = [password];
        }

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name.Any(char.IsControl))
        {
            errors["name"] = ["A name of 1–100 printable characters is required."];
        }

        return errors;
    }

    public static string? EmailProblem(string? email)
    {
        var trimmed = email?.Trim();
        return string.IsNullOrEmpty(trimmed) || trimmed.Length > 254 || trimmed.Any(char.IsWhiteSpace)
            || !MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed || !address.Host.Contains('.', StringComparison.Ordinal)
            ? "A valid e-mail address (at most 254 characters) is required."
            : null;
    }

    public static string? PasswordProblem(string? password, string? email)
    {
        if (password is null || password.Length < MinimumPasswordLength || password.Length > MaximumPasswordLength)
        {
            return $"A password of {MinimumPasswordLength}–{MaximumPasswordLength} characters is required.";
        }

        if (!password.Any(char.IsLetter) || password.All(char.IsLetter))
        {
            return "The password needs at least one letter and one digit or symbol.";
        }

        if (password.Distinct().Count() < 5)
        {
            return "The password repeats too few different characters.";
        }

        return email is not null && password.Contains(email.Trim(), StringComparison.OrdinalIgnoreCase)
            ? "The password must not contain the e-mail address."
            : null;
    }

    /// <summary>Creates a user with the given roles; null when the e-mail is taken. The request must be valid.</summary>
    public async Task<UserAccount?> CreateUserAsync(
        string email, string password, string name, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        var user = new UserAccount(Guid.NewGuid(), NormalizeEmail(email), name.Trim(), string.Empty, roles, timeProvider.GetUtcNow());
        user = user with { PasswordHash = hasher.HashPassword(user, password) };
        return await store.CreateUserAsync(user, cancellationToken) ? user : null;
    }

    /// <summary>The user when the e-mail and password match, else null (same cost either way).</summary>
    public async Task<UserAccount?> SignInAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password) || password.Length > MaximumPasswordLength)
        {
            return null;
        }

        var user = await store.FindByEmailAsync(NormalizeEmail(email), cancellationToken);
        if (user is null)
        {
            hasher.VerifyHashedPassword(Decoy, _decoyHash.Value, password);
            return null;
        }

        return hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>Upper case, inner whitespace collapsed to one space; null when it is not a plate.</summary>
    public static string? NormalizePlate(string? plate)
    {
        if (plate is null)
        {
            return null;
        }

        var normalized = string.Join(' ', plate.Trim().ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return normalized.Length is >= 1 and <= 15 && char.IsAsciiLetterOrDigit(normalized[0])
            && normalized.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-')
            ? normalized
            : null;
    }

    public async Task<Vehicle?> AddVehicleAsync(Guid userId, string plate, VehicleType vehicleType, CancellationToken cancellationToken)
    {
        var vehicle = new Vehicle(Guid.NewGuid(), plate, vehicleType, timeProvider.GetUtcNow());
        return await store.AddVehicleAsync(userId, vehicle, cancellationToken) ? vehicle : null;
    }

    /// <summary>
    /// Whether <paramref name="password"/> is the user's (same cost as a sign-in). The configured first
    /// admin uses it: an existing account is made admin only by someone who knows its password.
    /// </summary>
    public bool PasswordMatches(UserAccount user, string password) =>
        password.Length <= MaximumPasswordLength
        && hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>
    /// Changes the user's password after checking the current one, then signs the user out everywhere
    /// (every refresh token revoked): whoever knew the old password keeps no session past its access
    /// token's short lifetime. Field errors by member name, empty on success.
    /// </summary>
    public async Task<(PasswordChange Outcome, Dictionary<string, string[]> Errors)> ChangePasswordAsync(
        Guid userId, string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        var user = await store.FindByIdAsync(userId, cancellationToken);
        if (user is null)
        {
            return (PasswordChange.UnknownUser, []);
        }

        if (string.IsNullOrEmpty(currentPassword) || !PasswordMatches(user, currentPassword))
        {
            return (PasswordChange.Refused, new(StringComparer.Ordinal) { ["currentPassword"] = ["This is not your current password."] });
        }

        if (PasswordProblem(newPassword, user.Email) is { } problem)
        {
            return (PasswordChange.Refused, new(StringComparer.Ordinal) { ["newPassword"] = [problem] });
        }

        if (string.Equals(currentPassword, newPassword, StringComparison.Ordinal))
        {
            return (PasswordChange.Refused, new(StringComparer.Ordinal) { ["newPassword"] = ["The new password must differ from the current one."] });
        }

        if (!await store.SetPasswordHashAsync(userId, hasher.HashPassword(user, newPassword!), cancellationToken))
        {
            return (PasswordChange.UnknownUser, []);
        }

        var revoked = await store.RevokeUserRefreshTokensAsync(userId, timeProvider.GetUtcNow(), cancellationToken);
        Log.PasswordChanged(logger, userId, revoked);
        return (PasswordChange.Changed, []);
    }
}

internal enum PasswordChange
{
    Changed,
    Refused,
    UnknownUser,
}
