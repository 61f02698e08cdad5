using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on <c>POST /api/v1/bookings</c>, exactly once: concurrent repeats hold one
/// booking even where the lot has room for several; a refusal decided before any write leaves the key
/// free for the corrected request; a failure after the hold committed (the cache write throws) does
/// not free the key, so the client's retry gets the first booking back. On the embedded store and on
/// PostgreSQL + Redis.
/// </summary>
public abstract class BookingIdempotencyTests<TCloud>(TCloud cloud) : IClassFixture<TCloud>
    where TCloud : BookingCloud, IFaultyCacheCloud
{
    [Fact]
    public async Task Create_ConcurrentSameKeyOnALotWithRoomForAll_HoldsOneBooking()
    {
        // Eight free cars: without the key every one of the eight requests would get its own spot.
        var lot = await cloud.CreateLotAsync(cars: 8, carShare: 8);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var key = Guid.NewGuid().ToString();
        var body = Body(lot.LotId, cloud.Clock.GetUtcNow().AddHours(1), cloud.Clock.GetUtcNow().AddHours(2));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await PostAsync(client, key, body);
        })).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(racers);

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await ListAsync(client));
    }

    [Fact]
    public async Task Create_CacheWriteThrowsAfterTheHoldCommitted_RetryReplaysTheFirstBooking()
    {
        var lot = await cloud.CreateLotAsync(cars: 3, carShare: 3);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var key = Guid.NewGuid().ToString();
        // A window covering now: the hold refreshes the lot's cached reserved count after it commits.
        var body = Body(lot.LotId, cloud.Clock.GetUtcNow(), cloud.Clock.GetUtcNow().AddHours(2));

        Cache.FailWrites = true;
        HttpResponseMessage first, retry;
        try
        {
            first = await PostAsync(client, key, body);
            retry = await PostAsync(client, key, body);
        }
        finally
        {
            Cache.FailWrites = false;
        }

        Assert.True(Cache.FailedWrites > 0, "the fault was never injected: the hold did not refresh the cache");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retry.StatusCode));
        Assert.True(retry.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        var booking = (await first.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
        Assert.Equal(booking.Id, (await retry.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!.Id);
        Assert.Equal([booking.Id], (await ListAsync(client)).Select(b => b.Id));
    }

    [Fact]
    public async Task Create_ClientHangsUpAfterTheHoldCommitted_KeyCompletesAndTheRetryReplaysIt()
    {
        var lot = await cloud.CreateLotAsync(cars: 3, carShare: 3);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var key = Guid.NewGuid().ToString();
        var body = Body(lot.LotId, cloud.Clock.GetUtcNow(), cloud.Clock.GetUtcNow().AddHours(2));
        using var hangUp = new CancellationTokenSource();

        Cache.HoldWrites();
        Task<HttpResponseMessage> first;
        try
        {
            first = KeyedBookings.PostAsync(client, key, body, hangUp.Token);
            // The hold committed; its cache refresh is stalled. The client gives up now (the test
            // server aborts the request at once), and only then does the write go through.
            await TestContext.WaitUntilAsync(() => Cache.WaitingWrites > 0 || first.IsCompleted, TimeSpan.FromSeconds(30), "the post-commit cache write");
            await hangUp.CancelAsync();
        }
        finally
        {
            Cache.OpenWrites();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        // Until the first request has finished, the key answers 409 "in progress"; then the replay.
        HttpResponseMessage replay = null!;
        await TestContext.WaitUntilAsync(
            async () => (replay = await PostAsync(client, key, body)).StatusCode != HttpStatusCode.Conflict,
            TimeSpan.FromSeconds(30), "the first request to finish");
        Cache.HoldWritesOff();

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await ListAsync(client));
    }

    [Theory]
    [InlineData("unknown lot", HttpStatusCode.NotFound)]
    [InlineData("end before start", HttpStatusCode.BadRequest)]
    [InlineData("spot of another type", HttpStatusCode.UnprocessableEntity)]
    public async Task Create_RefusedBeforeAnyWriteThenCorrected_SameKeyHoldsTheCorrectedBooking(string mistake, HttpStatusCode refusal)
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var key = Guid.NewGuid().ToString();
        var (from, to) = (cloud.Clock.GetUtcNow().AddHours(1), cloud.Clock.GetUtcNow().AddHours(2));
        var wrong = mistake switch
        {
            "unknown lot" => Body("no-such-lot", from, to),
            "end before start" => Body(lot.LotId, to, from),
            _ => Body(lot.LotId, from, to, spotId: "E1"),
        };

        var refused = await PostAsync(client, key, wrong);
        var corrected = await PostAsync(client, key, Body(lot.LotId, from, to));

        Assert.Equal((refusal, HttpStatusCode.Created), (refused.StatusCode, corrected.StatusCode));
        Assert.False(corrected.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Single(await ListAsync(client));
    }

    [Fact]
    public async Task Create_NothingFree_409IsStoredAndReplayedEvenAfterASpotFreesUp()
    {
        var lot = await cloud.CreateLotAsync(cars: 1, carShare: 1);
        using var first = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        using var second = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var (from, to) = (cloud.Clock.GetUtcNow().AddHours(1), cloud.Clock.GetUtcNow().AddHours(2));
        var taken = await PostAsync(first, Guid.NewGuid().ToString(), Body(lot.LotId, from, to));
        var key = Guid.NewGuid().ToString();

        var refused = await PostAsync(second, key, Body(lot.LotId, from, to));
        var cancelled = await first.PostAsync($"{taken.Headers.Location}/cancel", null, TestContext.Token);
        var repeated = await PostAsync(second, key, Body(lot.LotId, from, to));

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.OK, HttpStatusCode.Conflict), (refused.StatusCode, cancelled.StatusCode, repeated.StatusCode));
        Assert.True(repeated.Headers.Contains(IdempotencyFilter.ReplayedHeaderName));
        Assert.Empty(await ListAsync(second));
    }

    private FaultyAvailabilityCache Cache => ((IFaultyCacheCloud)cloud).Cache;

    private static string Body(string lotId, DateTimeOffset start, DateTimeOffset end, string? spotId = null) =>
        KeyedBookings.Body(lotId, start, end, spotId);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string key, string json) => KeyedBookings.PostAsync(client, key, json);

    private static async Task<BookingResponse[]> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!;
}

/// <summary>A car booking's body and its POST with an optional <c>Idempotency-Key</c>.</summary>
internal static class KeyedBookings
{
    public static string Body(string lotId, DateTimeOffset start, DateTimeOffset end, string? spotId = null) =>
        System.Text.Json.JsonSerializer.Serialize(new { lotId, vehicleType = "car", spotId, startTime = start, endTime = end }, CloudApplication.Json);

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string? key, string json, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/bookings")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyFilter.HeaderName, key);
        }

        using var both = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Token, cancellationToken);
        return await client.SendAsync(request, both.Token);
    }
}

public sealed class EmbeddedBookingIdempotencyTests(FaultyCacheBookingCloud cloud) : BookingIdempotencyTests<FaultyCacheBookingCloud>(cloud);

public sealed class PostgresRedisBookingIdempotencyTests(FaultyCachePostgresRedisCloud cloud) : BookingIdempotencyTests<FaultyCachePostgresRedisCloud>(cloud);

/// <summary>A booking host whose availability cache writes a test can make throw.</summary>
public interface IFaultyCacheCloud
{
    internal FaultyAvailabilityCache Cache { get; }
}

/// <summary>The embedded booking host with the in-process cache behind <see cref="FaultyAvailabilityCache"/>.</summary>
public sealed class FaultyCacheBookingCloud : BookingCloud, IFaultyCacheCloud
{
    public FaultyCacheBookingCloud() => Cache = new FaultyAvailabilityCache(new InProcessAvailabilityCache());

    FaultyAvailabilityCache IFaultyCacheCloud.Cache => Cache;

    internal FaultyAvailabilityCache Cache { get; }

    protected override void ConfigureMore(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<IAvailabilityCache>(Cache));
}

/// <summary>The PostgreSQL + Redis booking host with the Redis cache behind <see cref="FaultyAvailabilityCache"/>.</summary>
public sealed class FaultyCachePostgresRedisCloud : PostgresRedisBookingCloud, IFaultyCacheCloud
{
    private FaultyAvailabilityCache? _cache;

    FaultyAvailabilityCache IFaultyCacheCloud.Cache => _cache ?? throw new InvalidOperationException("The host has not started.");

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        base.ConfigureMore(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IAvailabilityCache>(
            sp => _cache = new FaultyAvailabilityCache(sp.GetRequiredService<RedisAvailabilityCache>())));
    }
}

/// <summary>A cache whose writes throw while <see cref="FailWrites"/> is set (as a Redis timeout would); otherwise the inner one.</summary>
internal sealed class FaultyAvailabilityCache(IAvailabilityCache inner) : IAvailabilityCache
{
    private readonly IAvailabilityCache _inner = inner;
    private int _failedWrites;

    public bool FailWrites { get; set; }

    public int FailedWrites => Volatile.Read(ref _failedWrites);

    public ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken) => _inner.GetAsync(lotId, cancellationToken);

    private TaskCompletionSource? _gate;
    private int _waitingWrites;

    /// <summary>Writes wait (on their token) until <see cref="OpenWrites"/>, like a Redis that stalls.</summary>
    public void HoldWrites() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenWrites() => _gate?.TrySetResult();

    public void HoldWritesOff() => _gate = null;

    public int WaitingWrites => Volatile.Read(ref _waitingWrites);

    public async ValueTask SetAsync(LotAvailability availability, CancellationToken cancellationToken)
    {
        if (FailWrites)
        {
            Interlocked.Increment(ref _failedWrites);
            throw new TimeoutException("Injected: the cache write timed out after the hold committed.");
        }

        if (_gate is { } gate)
        {
            Interlocked.Increment(ref _waitingWrites);
            await gate.Task.WaitAsync(cancellationToken);
        }

        await _inner.SetAsync(availability, cancellationToken);
    }
}
