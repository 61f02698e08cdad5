using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>Register, sign in, refresh with rotation, and what a token lets through.</summary>
[Collection(CloudCollection.Name)]
public sealed class AuthTests(CloudApplication cloud)
{
    private const string Password = "Correct-horse-9";

    [Fact]
    public async Task Register_ValidRequest_Returns201DriverWithoutPasswordHash()
    {
        using var client = cloud.CreateClient();
        var email = NewEmail();

        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = " Dana Driver " }, TestContext.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Token));
        Assert.Equal((email, "Dana Driver"), (json.RootElement.GetProperty("email").GetString(), json.RootElement.GetProperty("name").GetString()));
        Assert.Equal(["driver"], json.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(json.RootElement.TryGetProperty("passwordHash", out _));
    }

    [Fact]
    public async Task Register_SameEmailOtherCase_Returns409Problem()
    {
        using var client = cloud.CreateClient();
        var email = NewEmail();
        (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "A" }, TestContext.Token)).EnsureSuccessStatusCode();

        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = email.ToUpperInvariant(), password = Password, name = "B" }, TestContext.Token);

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "E-mail already registered");
    }

    [Theory]
    [InlineData("short-1", "password")]
    [InlineData("onlyletterslong", "password")]
    [InlineData("1111111111a", "password")]
    [InlineData(null, "password")]
    public async Task Register_WeakPassword_Returns400NamingPassword(string? password, string field)
    {
        using var client = cloud.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = NewEmail(), password, name = "A" }, TestContext.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(TestContext.Token);
        Assert.True(problem!.Errors.ContainsKey(field), string.Join(", ", problem.Errors.Keys));
    }

    [Fact]
    public async Task Register_RolesInBody_Returns400AndCreatesNoUser()
    {
        using var client = cloud.CreateClient();
        var email = NewEmail();

        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "Eve", roles = new[] { "admin" } }, TestContext.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(await cloud.Services.GetRequiredService<IAccountStore>().FindByEmailAsync(email, TestContext.Token));
    }

    [Fact]
    public async Task Token_RegisteredUser_ReturnsTokensThatOpenMe()
    {
        using var client = cloud.CreateClient();
        var email = NewEmail();
        (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "Dana" }, TestContext.Token)).EnsureSuccessStatusCode();

        var tokens = await SignInAsync(client, email, Password);
        using var authorized = cloud.CreateClient(tokens.AccessToken);
        var me = await authorized.GetFromJsonAsync<UserResponse>("/api/v1/me", CloudApplication.Json, TestContext.Token);

        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(email, me!.Email);
        var jwt = new JsonWebToken(tokens.AccessToken);
        Assert.Equal((me.Id.ToString("D"), "parkinglot", "parkinglot"), (jwt.Subject, jwt.Issuer, jwt.Audiences.Single()));
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);
    }

    [Fact]
    public async Task Token_WrongPassword_Returns401Problem()
    {
        using var client = cloud.CreateClient();
        var email = NewEmail();
        (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "Dana" }, TestContext.Token)).EnsureSuccessStatusCode();

        var wrong = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password = Password + "x" }, TestContext.Token);
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = NewEmail(), password = Password }, TestContext.Token);

        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid credentials");
        await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "Invalid credentials");
    }

    [Fact]
    public async Task Refresh_UsedTwice_RotatesThenRefusesTheOldToken()
    {
        using var client = cloud.CreateClient();
        var user = await TestTokens.DriverAsync(cloud);
        var first = await SignInAsync(client, user.Email, TestTokens.Password);

        var rotated = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken }, TestContext.Token);
        var second = (await rotated.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token))!;
        var replay = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken }, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        await AssertProblemAsync(replay, HttpStatusCode.Unauthorized, "Invalid refresh token");
    }

    [Fact]
    public async Task Refresh_OldTokenReplayed_RevokesTheWholeFamily()
    {
        using var client = cloud.CreateClient();
        var user = await TestTokens.DriverAsync(cloud);
        var first = await SignInAsync(client, user.Email, TestTokens.Password);
        var second = (await (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken }, TestContext.Token))
            .Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token))!;

        // A thief replays the first token: from now on the newest one is refused too.
        await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken }, TestContext.Token);
        var legitimate = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second.RefreshToken }, TestContext.Token);

        await AssertProblemAsync(legitimate, HttpStatusCode.Unauthorized, "Invalid refresh token");
    }

    [Fact]
    public async Task Refresh_StoresOnlyTheHash()
    {
        using var client = cloud.CreateClient();
        var user = await TestTokens.DriverAsync(cloud);
        var tokens = await SignInAsync(client, user.Email, TestTokens.Password);

        var store = cloud.Services.GetRequiredService<IAccountStore>();
        var redeemedByRawValue = await store.RedeemRefreshTokenAsync(tokens.RefreshToken, DateTimeOffset.UnixEpoch, TestContext.Token);

        Assert.Equal(RefreshOutcome.Invalid, redeemedByRawValue.Outcome);
        Assert.Equal(64, TokenService.HashRefreshToken(tokens.RefreshToken).Length);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")]
    [InlineData("")]
    public async Task Me_BadBearerToken_Returns401Problem(string token)
    {
        using var client = cloud.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");

        var response = await client.SendAsync(request, TestContext.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Me_ExpiredToken_Returns401()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(TestTokens.ForUser(cloud, user.Id, [Roles.Driver], TimeProvider.System.GetUtcNow().AddHours(-1)));

        var response = await client.GetAsync("/api/v1/me", TestContext.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Me_TokenSignedWithAnotherKey_Returns401()
    {
        var user = await TestTokens.DriverAsync(cloud);
        var handler = new JsonWebTokenHandler();
        var forged = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "parkinglot",
            Audience = "parkinglot",
            Claims = new Dictionary<string, object> { ["sub"] = user.Id.ToString("D"), ["role"] = new[] { "admin" } },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[64]), SecurityAlgorithms.HmacSha256),
        });
        using var client = cloud.CreateClient(forged);

        var response = await client.GetAsync("/api/v1/me", TestContext.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<TokenResponse> SignInAsync(HttpClient client, string email, string password)
    {
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password }, TestContext.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token))!;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Token);
        Assert.Equal(((int)status, title), (problem!.Status, problem.Title));
    }

    private static string NewEmail() => $"u-{Guid.NewGuid():N}@example.test";
}
