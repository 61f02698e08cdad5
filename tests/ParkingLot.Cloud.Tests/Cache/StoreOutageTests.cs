using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Cloud.Tests.Idempotency;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Cache;

/// <summary>
/// Redis is a cache and a fan-out, not a dependency of correctness: with the host's Redis stopped,
/// availability and bookings keep working from PostgreSQL, and after Redis comes back the cache is
/// used again. The Redis is a redis-server this class starts on a port of its own, never the shared one.
/// </summary>
public sealed class RedisOutageTests(OwnRedisBookingCloud cloud) : IClassFixture<OwnRedisBookingCloud>
{
    [Fact]
    public async Task RedisStoppedAndRestarted_AvailabilityAndBookingsKeepWorkingFromTheStore()
    {
        var lot = await cloud.CreateLotAsync(cars: 4, carShare: 4);
        using var driver = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        using var anonymous = cloud.CreateClient();
        var now = cloud.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(driver, lot.LotId, now, key: null)).StatusCode);

        await cloud.Redis.StopAsync();
        var availabilityWhileDown = await anonymous.GetAsync($"/api/v1/lots/{lot.LotId}/availability", TestContext.Token);
        var bookedWhileDown = await BookAsync(driver, lot.LotId, now, key: null);
        var keyedWhileDown = await BookAsync(driver, lot.LotId, now, key: Guid.NewGuid().ToString());
        var reservedWhileDown = await ReservedCarsAsync(anonymous, lot.LotId);

        Assert.Equal(HttpStatusCode.OK, availabilityWhileDown.StatusCode);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (bookedWhileDown.StatusCode, keyedWhileDown.StatusCode));
        Assert.Equal(3, reservedWhileDown);

        await cloud.Redis.StartAsync();
        await TestContext.WaitUntilAsync(
            async () => (await anonymous.GetAsync("/readyz", TestContext.Token)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "/readyz with Redis back");
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(driver, lot.LotId, now, key: null)).StatusCode);
        Assert.Equal(4, await ReservedCarsAsync(anonymous, lot.LotId));
        Assert.Equal(4, (await driver.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!.Length);
    }

    [Fact]
    public async Task RedisStoppedUnderLoad_NoRequestAnswers500()
    {
        var lot = await cloud.CreateLotAsync(cars: 200, carShare: 200);
        using var driver = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var now = cloud.Clock.GetUtcNow();
        using var load = new RequestLoad(driver, lot.LotId, now);

        await load.UntilAsync(20);
        await cloud.Redis.StopAsync();
        await load.UntilAsync(load.Count + 20);
        await cloud.Redis.StartAsync();
        await load.UntilAsync(load.Count + 20);
        var statuses = await load.StopAsync();

        Assert.All(statuses, RequestLoad.AssertNever500);
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.Created);
    }

    private static async Task<int> ReservedCarsAsync(HttpClient client, string lotId)
    {
        var availability = await client.GetFromJsonAsync<LotAvailability>($"/api/v1/lots/{lotId}/availability", CloudApplication.Json, TestContext.Token);
        return availability!.VehicleTypes.Single(t => t.VehicleType == VehicleType.Car).Reserved;
    }

    internal static Task<HttpResponseMessage> BookAsync(HttpClient client, string lotId, DateTimeOffset now, string? key) =>
        KeyedBookings.PostAsync(client, key, KeyedBookings.Body(lotId, now, now.AddHours(2)));
}

/// <summary>
/// After PostgreSQL dropped every connection of the pool (as a restart does), the first requests find
/// dead pooled connections: a GET is retried once on fresh ones, a POST answers 503 with Retry-After
/// (or succeeds), never 500, and its retry with the same Idempotency-Key books exactly once.
/// The connections are killed with pg_terminate_backend on the shared cluster rather than by
/// restarting a cluster: it is the same failure for the pool (server-side sockets gone, client pool
/// unaware), deterministic, and does not cost an initdb per run.
/// </summary>
[Collection(PostgresRedisBookingCloudCollection.Name)]
public sealed class PostgresRestartTests(PostgresRedisBookingCloud cloud)
{
    [Fact]
    public async Task PooledConnectionsKilled_GetRetriedPostNever500AndItsRetryBooksOnce()
    {
        var lot = await cloud.CreateLotAsync(cars: 4, carShare: 4);
        using var driver = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var now = cloud.Clock.GetUtcNow();
        await WarmThePoolAsync(driver);

        Assert.True(await KillConnectionsAsync() > 0, "no pooled connection was open to kill");
        var list = await driver.GetAsync("/api/v1/bookings", TestContext.Token);

        await WarmThePoolAsync(driver);
        await KillConnectionsAsync();
        var key = Guid.NewGuid().ToString();
        var first = await RedisOutageTests.BookAsync(driver, lot.LotId, now, key);
        var retry = await RedisOutageTests.BookAsync(driver, lot.LotId, now, key);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.True(
            first.StatusCode is HttpStatusCode.Created || (first.StatusCode == HttpStatusCode.ServiceUnavailable && first.Headers.RetryAfter is not null),
            $"{(int)first.StatusCode}: {await first.Content.ReadAsStringAsync(TestContext.Token)}");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Single((await driver.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!);
    }

    [Fact]
    public async Task PooledConnectionsKilledUnderLoad_NoRequestAnswers500()
    {
        var lot = await cloud.CreateLotAsync(cars: 200, carShare: 200);
        using var driver = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        using var load = new RequestLoad(driver, lot.LotId, cloud.Clock.GetUtcNow());

        await load.UntilAsync(20);
        for (var round = 0; round < 3; round++)
        {
            await KillConnectionsAsync();
            await load.UntilAsync(load.Count + 15);
        }

        var statuses = await load.StopAsync();

        Assert.All(statuses, RequestLoad.AssertNever500);
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.Created);
    }

    /// <summary>Several requests at once, so the pool holds several idle connections.</summary>
    private static async Task WarmThePoolAsync(HttpClient client)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetAsync("/api/v1/bookings", TestContext.Token)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    private async Task<int> KillConnectionsAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(cloud.PostgresConnectionString).Database;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServices.PostgresConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(TestContext.Token);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()) AS killed",
            connection);
        command.Parameters.AddWithValue("db", database!);
        return (int)(long)(await command.ExecuteScalarAsync(TestContext.Token))!;
    }
}

/// <summary>
/// Four clients in a loop, each alternating an availability read, a booking list and a booking covering now,
/// until stopped; every status is recorded with whether a 503 carried Retry-After.
/// </summary>
internal sealed class RequestLoad : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(HttpStatusCode Status, bool RetryAfter, string What)> _statuses = new();

    public RequestLoad(HttpClient client, string lotId, DateTimeOffset now)
    {
        _workers = [.. Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                // Windows covering now: each hold refreshes the lot's cached availability after it
                // commits, so the cache is written (and, with Redis down, fails) under the load.
                var end = now.AddMinutes(10 + (worker * 1000 + i) % 50);
                var (what, send) = (i % 3) switch
                {
                    0 => ("availability", (Func<Task<HttpResponseMessage>>)(() => client.GetAsync($"/api/v1/lots/{lotId}/availability", TestContext.Token))),
                    1 => ("list", () => client.GetAsync("/api/v1/bookings", TestContext.Token)),
                    _ => ("book", () => KeyedBookings.PostAsync(client, Guid.NewGuid().ToString(), KeyedBookings.Body(lotId, now, end))),
                };
                using var response = await send();
                _statuses.Enqueue((response.StatusCode, response.Headers.RetryAfter is not null, what));
            }
        }))];
    }

    public int Count => _statuses.Count;

    /// <summary>Waits until at least <paramref name="count"/> requests were answered.</summary>
    public Task UntilAsync(int count) =>
        TestContext.WaitUntilAsync(() => _statuses.Count >= count || _workers.Any(w => w.IsFaulted), TimeSpan.FromSeconds(90), $"{count} answered requests");

    public async Task<IReadOnlyList<(HttpStatusCode Status, bool RetryAfter, string What)>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return [.. _statuses];
    }

    /// <summary>2xx, 409 (nothing free) or 503 with Retry-After; never a 500.</summary>
    public static void AssertNever500((HttpStatusCode Status, bool RetryAfter, string What) answer) =>
        Assert.True(
            answer.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Conflict
            || (answer.Status == HttpStatusCode.ServiceUnavailable && answer.RetryAfter),
            $"{answer.What}: {(int)answer.Status}");

    public void Dispose() => _stop.Dispose();
}

/// <summary>The PostgreSQL + Redis booking host on a redis-server of its own, which a test stops and starts again on the same port.</summary>
public sealed class OwnRedisBookingCloud : PostgresRedisBookingCloud
{
    internal OwnRedisServer Redis { get; } = new();

    protected override string RedisConfiguration => $"127.0.0.1:{Redis.Port},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    public override async Task InitializeAsync()
    {
        await Redis.StartAsync();
        await base.InitializeAsync();
    }

    protected override async ValueTask DisposeMoreAsync() => await Redis.StopAsync();
}

/// <summary>A throwaway redis-server (no persistence) on a free loopback port.</summary>
internal sealed class OwnRedisServer
{
    private Process? _process;

    public int Port { get; } = CloudApplication.FreeTcpPort();

    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server", $"--bind 127.0.0.1 --port {Port} --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await TestContext.WaitUntilAsync(() => Task.FromResult(Accepts()), TimeSpan.FromSeconds(20), $"redis-server on port {Port}");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync(TestContext.Token);
        }

        _process?.Dispose();
        _process = null;
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
