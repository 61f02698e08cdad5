using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ParkingLot.Cloud.Auth;

/// <summary><c>POST /auth/token</c> and <c>/auth/refresh</c> answer: a bearer access token and its rotating refresh token.</summary>
internal sealed record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType = "Bearer");

/// <summary>
/// Issues signed access tokens (JWT, HMAC-SHA256) and rotating refresh tokens. A refresh token is
/// 256 random bits handed out once; the store keeps only its SHA-256. Each refresh uses the token up
/// and issues the next of its family; presenting a used token again revokes the whole family, since
/// only a copy (a thief, or the victim after the thief) can do that.
/// </summary>
internal sealed class TokenService(
    IAccountStore store, SigningKeyProvider keys, IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>An access token for the user with the given roles, valid from <paramref name="issuedAt"/>.</summary>
    public string CreateAccessToken(Guid userId, string email, IEnumerable<string> roles, DateTimeOffset issuedAt)
    {
        var auth = options.Value;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [AuthClaims.Subject] = userId.ToString("D"),
            [AuthClaims.Email] = email,
            [AuthClaims.Role] = roles.ToArray(),
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Claims = claims,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + auth.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = keys.Credentials,
        });
    }

    /// <summary>A fresh token pair; <paramref name="familyId"/> continues a rotation family (null starts one at sign-in).</summary>
    public async Task<TokenResponse> IssueAsync(UserAccount user, Guid? familyId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var auth = options.Value;
        var refreshToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await store.StoreRefreshTokenAsync(
            new RefreshTokenRecord(HashRefreshToken(refreshToken), user.Id, familyId ?? Guid.NewGuid(), now, now + auth.RefreshTokenLifetime),
            cancellationToken);
        return new TokenResponse(
            CreateAccessToken(user.Id, user.Email, user.Roles, now), refreshToken, (int)auth.AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>Null when the token is unknown, expired, used before (then its family is revoked) or its user is gone.</summary>
    public async Task<TokenResponse?> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var redemption = await store.RedeemRefreshTokenAsync(HashRefreshToken(refreshToken), now, cancellationToken);
        switch (redemption.Outcome)
        {
            case RefreshOutcome.Redeemed:
                // Roles are read again, so a role change takes effect at the next refresh.
                var user = await store.FindByIdAsync(redemption.UserId, cancellationToken);
                return user is null ? null : await IssueAsync(user, redemption.FamilyId, cancellationToken);
            case RefreshOutcome.Reused:
                await store.RevokeRefreshFamilyAsync(redemption.FamilyId, now, cancellationToken);
                return null;
            default:
                return null;
        }
    }

    public static string HashRefreshToken(string refreshToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));
}
