using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Cloud.Availability;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;
using StackExchange.Redis;

namespace ParkingLot.Cloud.Tests.Cache;

/// <summary>
/// What every availability cache does, run against the in-process one and the Redis one. "Two
/// instances" are two handles on one shared cache: the same object in-process, two connections
/// (as two cloud instances) on Redis.
/// </summary>
public abstract class AvailabilityCacheContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    internal IAvailabilityCache First { get; set; } = null!;

    internal IAvailabilityCache Second { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task Get_UnknownLot_ReturnsNull()
    {
        Assert.Null(await First.GetAsync(NewLotId(), TestContext.Token));
    }

    [Fact]
    public async Task Set_ThenGet_ReturnsTheSameSnapshot()
    {
        var lot = Snapshot(NewLotId(), AsOf, (VehicleType.Car, 10, 3), (VehicleType.Ev, 2, 2));

        await First.SetAsync(lot, TestContext.Token);
        var read = await First.GetAsync(lot.LotId, TestContext.Token);

        AssertSame(lot, read);
    }

    [Fact]
    public async Task Set_Twice_LastWriteWins()
    {
        var lotId = NewLotId();
        await First.SetAsync(Snapshot(lotId, AsOf, (VehicleType.Car, 10, 3), (VehicleType.Ev, 2, 0)), TestContext.Token);

        var latest = Snapshot(lotId, AsOf.AddSeconds(1), (VehicleType.Car, 10, 4));
        await First.SetAsync(latest, TestContext.Token);

        // The EV type is gone too: a write replaces the whole lot.
        AssertSame(latest, await First.GetAsync(lotId, TestContext.Token));
    }

    [Fact]
    public async Task Set_OlderSnapshotLandsAfterANewerOne_NewerKeptOnBothInstances()
    {
        // Two writers race after their commits; the one that read the store first writes last.
        var lotId = NewLotId();
        var newer = Snapshot(lotId, AsOf.AddSeconds(2), (VehicleType.Car, 10, 7));
        await Second.SetAsync(newer, TestContext.Token);

        await First.SetAsync(Snapshot(lotId, AsOf.AddSeconds(1), (VehicleType.Car, 10, 6)), TestContext.Token);

        AssertSame(newer, await First.GetAsync(lotId, TestContext.Token));
        AssertSame(newer, await Second.GetAsync(lotId, TestContext.Token));
    }

    [Fact]
    public async Task Set_OnOneInstance_ReachesTheOtherInstanceThatHadReadTheLot()
    {
        var lotId = NewLotId();
        await First.SetAsync(Snapshot(lotId, AsOf, (VehicleType.Car, 10, 0)), TestContext.Token);
        Assert.NotNull(await Second.GetAsync(lotId, TestContext.Token));

        var changed = Snapshot(lotId, AsOf.AddSeconds(1), (VehicleType.Car, 10, 9));
        await First.SetAsync(changed, TestContext.Token);

        await TestContext.WaitUntilAsync(
            async () => (await Second.GetAsync(lotId, TestContext.Token))?.VehicleTypes[0].Occupied == 9,
            TimeSpan.FromSeconds(10), "the change to reach the second instance");
        AssertSame(changed, await Second.GetAsync(lotId, TestContext.Token));
    }

    [Fact]
    public async Task Set_OneLot_LeavesOtherLotsAlone()
    {
        var (a, b) = (Snapshot(NewLotId(), AsOf, (VehicleType.Car, 5, 1)), Snapshot(NewLotId(), AsOf, (VehicleType.Truck, 2, 1)));
        await First.SetAsync(a, TestContext.Token);

        await First.SetAsync(b, TestContext.Token);

        AssertSame(a, await Second.GetAsync(a.LotId, TestContext.Token));
        AssertSame(b, await Second.GetAsync(b.LotId, TestContext.Token));
    }

    internal static LotAvailability Snapshot(string lotId, DateTimeOffset asOf, params (VehicleType Type, int Capacity, int Occupied)[] types) =>
        new(lotId, asOf, [.. types.Select(t => VehicleTypeAvailability.From(t.Type, t.Capacity, t.Occupied, 0))]);

    internal static void AssertSame(LotAvailability expected, LotAvailability? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.LotId, expected.AsOf), (actual.LotId, actual.AsOf));
        Assert.Equal(expected.VehicleTypes, actual.VehicleTypes);
    }

    internal static string NewLotId() => $"c-{Guid.NewGuid():N}"[..20];
}

public sealed class InProcessAvailabilityCacheTests : AvailabilityCacheContractTests
{
    public override Task InitializeAsync()
    {
        First = Second = new InProcessAvailabilityCache();
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class RedisAvailabilityCacheTests : AvailabilityCacheContractTests
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}:";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _owned = [];
    private RedisAvailabilityCache _first = null!;
    private RedisAvailabilityCache _second = null!;
    private ConnectionMultiplexer _inspector = null!;

    public override async Task InitializeAsync()
    {
        // A long local lifetime: only pub/sub can explain a change reaching the second instance.
        _first = await CreateAsync(TimeSpan.FromMinutes(10));
        _second = await CreateAsync(TimeSpan.FromMinutes(10));
        (First, Second) = (_first, _second);
        _inspector = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisConfiguration);
        _owned.Add(_inspector);
    }

    public override async Task DisposeAsync()
    {
        await _first.StopAsync(TestContext.Token);
        await _second.StopAsync(TestContext.Token);
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task Set_StoresOneHashPerLot()
    {
        var lot = Snapshot(NewLotId(), new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), (VehicleType.Car, 10, 3), (VehicleType.Ev, 2, 1));

        await First.SetAsync(lot, TestContext.Token);

        var hash = await _inspector.GetDatabase().HashGetAllAsync($"{_prefix}availability:{lot.LotId}");
        Assert.Equal(["asOf", "type:car", "type:ev"], hash.Select(e => (string)e.Name!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_ChangedInRedisWithoutMessage_SeenOnceTheLocalCopyIsOld()
    {
        var cache = await CreateAsync(TimeSpan.FromSeconds(5));
        var lotId = NewLotId();
        await First.SetAsync(Snapshot(lotId, new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), (VehicleType.Car, 10, 0)), TestContext.Token);
        Assert.Equal(0, (await cache.GetAsync(lotId, TestContext.Token))!.VehicleTypes[0].Occupied);

        // A write whose message this instance missed (say, during a network blip).
        await _inspector.GetDatabase().HashSetAsync(
            $"{_prefix}availability:{lotId}", "type:car", """{"vehicleType":"car","capacity":10,"occupied":7,"free":3}""");
        var beforeLifetime = (await cache.GetAsync(lotId, TestContext.Token))!.VehicleTypes[0].Occupied;
        _time.Advance(TimeSpan.FromSeconds(6));
        var afterLifetime = (await cache.GetAsync(lotId, TestContext.Token))!.VehicleTypes[0].Occupied;

        Assert.Equal((0, 7), (beforeLifetime, afterLifetime));
        await cache.StopAsync(TestContext.Token);
    }

    private async Task<RedisAvailabilityCache> CreateAsync(TimeSpan localLifetime)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisConfiguration);
        _owned.Add(redis);
        var cache = new RedisAvailabilityCache(
            redis, Options.Create(new RedisOptions { KeyPrefix = _prefix, LocalCopyLifetime = localLifetime }), _time, NullLogger<RedisAvailabilityCache>.Instance);
        await cache.StartAsync(TestContext.Token);
        return cache;
    }
}
