using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>What needs a host of its own: low rate limits, the configured first admin, the generated signing key.</summary>
public sealed class AccessHostTests
{
    [Fact]
    public async Task Requests_OverThePerIpLimit_Get429ProblemWithRetryAfter()
    {
        await using var cloud = new ConfiguredCloud(new Dictionary<string, string?> { ["RateLimits:PerIpPerMinute"] = "5" });
        using var client = cloud.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await client.GetAsync("/api/v1/lots", TestContext.Token)).StatusCode);
        }

        var refused = await client.GetAsync("/api/v1/lots", TestContext.Token);
        var health = await client.GetAsync("/healthz", TestContext.Token);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], statuses);
        await AuthTests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "Too many requests");
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Requests_OverThePerUserLimit_Get429ForThatUserOnly()
    {
        await using var cloud = new ConfiguredCloud(new Dictionary<string, string?> { ["RateLimits:PerUserPerMinute"] = "3" });
        var (alice, bob) = (await TestTokens.DriverAsync(cloud), await TestTokens.DriverAsync(cloud));
        using var aliceClient = cloud.CreateClient(alice);
        using var bobClient = cloud.CreateClient(bob);

        var alices = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            alices.Add((await aliceClient.GetAsync("/api/v1/me", TestContext.Token)).StatusCode);
        }

        var bobs = (await bobClient.GetAsync("/api/v1/me", TestContext.Token)).StatusCode;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], alices);
        Assert.Equal(HttpStatusCode.OK, bobs);
    }

    [Fact]
    public async Task AuthRoutes_OverTheirStricterLimit_Get429()
    {
        await using var cloud = new ConfiguredCloud(new Dictionary<string, string?> { ["RateLimits:AuthPerIpPerMinute"] = "2" });
        using var client = cloud.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "nobody@example.test", password = "Wrong-password-1" }, TestContext.Token)).StatusCode);
        }

        var elsewhere = (await client.GetAsync("/api/v1/lots", TestContext.Token)).StatusCode;

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, elsewhere);
    }

    [Fact]
    public async Task Start_WithAdminSettings_CreatesTheFirstAdminOnce()
    {
        var settings = new Dictionary<string, string?> { ["Admin:Email"] = "Root@Example.test", ["Admin:Password"] = "Admin-password-1" };
        await using var cloud = new ConfiguredCloud(settings);
        using var client = cloud.CreateClient();

        var tokens = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "root@example.test", password = "Admin-password-1" }, TestContext.Token))
            .Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token);
        using var admin = cloud.CreateClient(tokens!.AccessToken);
        var me = await admin.GetFromJsonAsync<UserResponse>("/api/v1/me", CloudApplication.Json, TestContext.Token);

        Assert.Equal(["admin"], me!.Roles);
        Assert.Equal(1, await cloud.Services.GetRequiredService<IAccountStore>().CountUsersAsync(TestContext.Token));
    }

    [Fact]
    public async Task Start_WithoutSigningKey_GeneratesAKeyFileOnlyTheOwnerReads()
    {
        await using var cloud = new ConfiguredCloud(new Dictionary<string, string?>());
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me", TestContext.Token)).StatusCode);
        var file = Path.Combine(cloud.DataDirectory, SigningKeyProvider.FileName);
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task Start_WithShortSigningKey_Fails()
    {
        await using var cloud = new ConfiguredCloud(new Dictionary<string, string?> { ["Auth:SigningKey"] = "too-short" });

        var failure = Record.Exception(() => cloud.Services);

        Assert.Contains("Auth:SigningKey", failure?.ToString(), StringComparison.Ordinal);
    }
}
