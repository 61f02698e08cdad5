using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> through a real creating POST (<c>/api/v1/me/vehicles</c>, which carries
/// <c>.WithIdempotency()</c> like every creating POST), and the store's claim rules.
/// </summary>
[Collection(CloudCollection.Name)]
public sealed class IdempotencyTests(CloudApplication cloud)
{
    [Fact]
    public async Task Post_SameKeySameBody_ReplaysFirstResponseAndCreatesOnce()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        var key = Guid.NewGuid().ToString();

        var first = await PostVehicleAsync(client, key, """{"plate":"AB 123","vehicleType":"car"}""");
        var second = await PostVehicleAsync(client, key, """{"plate":"AB 123","vehicleType":"car"}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(TestContext.Token), await second.Content.ReadAsStringAsync(TestContext.Token));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.False(first.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Equal(["true"], second.Headers.GetValues(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(user.Id, TestContext.Token));
    }

    [Fact]
    public async Task Post_SameKeyOtherBody_Returns422AndChangesNothing()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        var key = Guid.NewGuid().ToString();
        await PostVehicleAsync(client, key, """{"plate":"AB 123","vehicleType":"car"}""");

        var response = await PostVehicleAsync(client, key, """{"plate":"XY 999","vehicleType":"ev"}""");

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "Idempotency-Key reused");
        Assert.Equal(["AB 123"], (await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(user.Id, TestContext.Token)).Select(v => v.Plate));
    }

    [Fact]
    public async Task Post_SameKeyOtherUser_RunsSeparately()
    {
        var alice = await TestTokens.DriverAsync(cloud);
        var bob = await TestTokens.DriverAsync(cloud);
        var key = Guid.NewGuid().ToString();
        using var aliceClient = cloud.CreateClient(alice);
        using var bobClient = cloud.CreateClient(bob);

        var forAlice = await PostVehicleAsync(aliceClient, key, """{"plate":"AB 123","vehicleType":"car"}""");
        var forBob = await PostVehicleAsync(bobClient, key, """{"plate":"AB 123","vehicleType":"car"}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (forAlice.StatusCode, forBob.StatusCode));
        Assert.False(forBob.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(bob.Id, TestContext.Token));
    }

    [Fact]
    public async Task Post_ConcurrentSameKey_ExecutesOnce()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => PostVehicleAsync(client, key, """{"plate":"RACE 1","vehicleType":"car"}""")));

        // Each got either the one response (created or replayed) or 409 "still running"; never a second
        // vehicle. The plate's uniqueness alone would also leave one vehicle (the others refused as
        // duplicates), so the refusals must be the key's, or this test could not fail without the key.
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await AuthTests.AssertProblemAsync(conflict, HttpStatusCode.Conflict, "Request in progress");
            Assert.NotNull(conflict.Headers.RetryAfter);
        }

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(user.Id, TestContext.Token));
    }

    [Fact]
    public async Task Post_FailedValidationThenCorrected_SameKeyRunsTheCorrectedRequest()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        var key = Guid.NewGuid().ToString();

        var refused = await PostVehicleAsync(client, key, """{"plate":"","vehicleType":"car"}""");
        var corrected = await PostVehicleAsync(client, key, """{"plate":"AB 123","vehicleType":"car"}""");
        var repeated = await PostVehicleAsync(client, key, """{"plate":"AB 123","vehicleType":"car"}""");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Created, HttpStatusCode.Created), (refused.StatusCode, corrected.StatusCode, repeated.StatusCode));
        Assert.False(refused.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.False(corrected.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.True(repeated.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(user.Id, TestContext.Token));
    }

    [Fact]
    public async Task Post_Conflict_IsStoredAndReplayed()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);
        await PostVehicleAsync(client, Guid.NewGuid().ToString(), """{"plate":"DUP 1","vehicleType":"car"}""");
        var key = Guid.NewGuid().ToString();

        var first = await PostVehicleAsync(client, key, """{"plate":"DUP 1","vehicleType":"car"}""");
        var second = await PostVehicleAsync(client, key, """{"plate":"DUP 1","vehicleType":"car"}""");

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (first.StatusCode, second.StatusCode));
        Assert.True(second.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("k-xxxx0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("ünïcode")]
    public async Task Post_MalformedKey_Returns400Problem(string key)
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);

        var response = await PostVehicleAsync(client, key, """{"plate":"AB 123","vehicleType":"car"}""");

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Idempotency-Key");
        Assert.Empty(await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(user.Id, TestContext.Token));
    }

    [Fact]
    public async Task Post_NoKey_RunsEveryTime()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(user);

        await client.PostAsJsonAsync("/api/v1/me/vehicles", new { plate = "ONE 1", vehicleType = "car" }, TestContext.Token);
        await client.PostAsJsonAsync("/api/v1/me/vehicles", new { plate = "TWO 2", vehicleType = "car" }, TestContext.Token);

        Assert.Equal(2, (await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(user.Id, TestContext.Token)).Count);
    }

    internal static async Task<HttpResponseMessage> PostVehicleAsync(HttpClient client, string key, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/vehicles")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(IdempotencyFilter.HeaderName, key);
        return await client.SendAsync(request, TestContext.Token);
    }
}
