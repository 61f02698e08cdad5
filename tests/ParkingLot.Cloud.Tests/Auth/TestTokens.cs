using System.Net.Http.Headers;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>A user created for a test, with a valid access token.</summary>
internal sealed record TestUser(Guid Id, string Email, string AccessToken);

/// <summary>
/// Users and tokens for tests without going through /auth (no rate limit, no password hashing per
/// user): <c>await TestTokens.DriverAsync(cloud)</c>, then <c>cloud.CreateClient(user)</c>.
/// </summary>
internal static class TestTokens
{
    /// <summary>The password of every user these helpers create, for tests that do sign in over HTTP.</summary>
    public const string Password = "Test-password-42";

    // One framework hash shared by all test users: hashing costs ~100k PBKDF2 rounds each time.
    private static readonly Lazy<string> PasswordHash = new(() => new PasswordHasher<UserAccount>().HashPassword(null!, Password));

    /// <summary>Creates a user with <paramref name="roles"/> in the app's store and mints an access token for it.</summary>
    public static async Task<TestUser> CreateUserAsync(WebApplicationFactory<Program> app, params string[] roles)
    {
        var id = Guid.NewGuid();
        var email = $"user-{id:N}@example.test";
        var user = new UserAccount(id, email, "Test User", PasswordHash.Value, roles, DateTimeOffset.UnixEpoch);
        if (!await app.Services.GetRequiredService<IAccountStore>().CreateUserAsync(user, TestContext.Token))
        {
            throw new InvalidOperationException($"Could not create test user {email}.");
        }

        return new TestUser(id, email, ForUser(app, id, roles));
    }

    public static Task<TestUser> DriverAsync(WebApplicationFactory<Program> app) => CreateUserAsync(app, Roles.Driver);

    public static Task<TestUser> OperatorAsync(WebApplicationFactory<Program> app) => CreateUserAsync(app, Roles.Operator);

    public static Task<TestUser> AdminAsync(WebApplicationFactory<Program> app) => CreateUserAsync(app, Roles.Admin);

    /// <summary>
    /// An access token for any user id (the user need not exist in the store), signed with the app's key;
    /// <paramref name="issuedAt"/> in the past gives an expired one.
    /// </summary>
    public static string ForUser(WebApplicationFactory<Program> app, Guid userId, string[] roles, DateTimeOffset? issuedAt = null) =>
        app.Services.GetRequiredService<TokenService>().CreateAccessToken(
            userId, $"user-{userId:N}@example.test", roles, issuedAt ?? app.Services.GetRequiredService<TimeProvider>().GetUtcNow());

    public static string ForDriver(WebApplicationFactory<Program> app, Guid userId) => ForUser(app, userId, [Roles.Driver]);

    /// <summary>A client that sends the user's bearer token.</summary>
    public static HttpClient CreateClient(this WebApplicationFactory<Program> app, TestUser user) => app.CreateClient(user.AccessToken);

    /// <summary>A client that sends <paramref name="accessToken"/> as its bearer token.</summary>
    public static HttpClient CreateClient(this WebApplicationFactory<Program> app, string accessToken)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }
}
