using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Auth;

/// <summary>Access and refresh tokens (configuration section <c>Auth</c>).</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// HMAC-SHA256 signing key for access tokens, at least 32 bytes of UTF-8. Absent → a random key is
    /// generated once and kept in <c>Storage:DataDirectory/jwt-signing.key</c> (mode 0600). Several
    /// instances behind one load balancer must share it, so set it there. Default: absent.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Token issuer and audience. Default <c>parkinglot</c>.</summary>
    [Required]
    public string Issuer { get; set; } = "parkinglot";

    /// <inheritdoc cref="Issuer"/>
    [Required]
    public string Audience { get; set; } = "parkinglot";

    /// <summary>Lifetime of an access token. Default 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of a refresh token; each use replaces it with a new one. Default 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Clock skew tolerated when validating an access token. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The first admin account (configuration section <c>Admin</c>), created at start when no admin exists.</summary>
internal sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>E-mail of the first admin. Default: absent (no admin is created).</summary>
    public string? Email { get; set; }

    /// <summary>Password of the first admin; must pass the same strength rules as any password.</summary>
    public string? Password { get; set; }
}
