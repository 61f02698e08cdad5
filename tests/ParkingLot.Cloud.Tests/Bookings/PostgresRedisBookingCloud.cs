using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Bookings;

/// <summary>
/// <see cref="BookingCloud"/> on the production stores: <c>ConnectionStrings:Postgres</c> (a fresh
/// database of the PostgreSQL that ./test.sh starts) and <c>ConnectionStrings:Redis</c> (its Redis,
/// under a key prefix of its own), or on a Redis of the caller's (<see cref="RedisConfiguration"/>).
/// </summary>
public class PostgresRedisBookingCloud : BookingCloud
{
    public string PostgresConnectionString { get; private set; } = null!;

    /// <summary>The Redis this host uses; the outage tests point it at a redis-server they own.</summary>
    protected virtual string RedisConfiguration => TestServices.RedisConfiguration;

    public override async Task InitializeAsync()
    {
        PostgresConnectionString = await TestServices.CreateDatabaseAsync("bookings", TestContext.Token);
        await base.InitializeAsync();
    }

    protected override void ConfigureMore(IWebHostBuilder builder) =>
        UseProductionStores(builder, PostgresConnectionString, RedisConfiguration);

    /// <summary>Points a test host at PostgreSQL and Redis, under a Redis key prefix of its own.</summary>
    public static void UseProductionStores(IWebHostBuilder builder, string postgres, string redis)
    {
        builder.UseSetting("ConnectionStrings:Postgres", postgres);
        builder.UseSetting("ConnectionStrings:Redis", redis);
        builder.UseSetting("Redis:KeyPrefix", $"test-{Guid.NewGuid():N}:");
    }

    /// <summary>Guards a fixture: a host that silently fell back to the embedded defaults would make every inherited test a second run on SQLite.</summary>
    public static void AssertOnPostgresAndRedis(IServiceProvider services)
    {
        Assert.IsType<ParkingLot.Cloud.Storage.Postgres.PostgresBookingStore>(services.GetRequiredService<ParkingLot.Cloud.Bookings.IBookingStore>());
        Assert.IsType<ParkingLot.Cloud.Availability.RedisAvailabilityCache>(services.GetRequiredService<ParkingLot.Cloud.Availability.IAvailabilityCache>());
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresRedisBookingCloudCollection : ICollectionFixture<PostgresRedisBookingCloud>
{
    public const string Name = "Booking cloud on PostgreSQL and Redis";
}

/// <summary><see cref="BookingsApiTests"/> again, on PostgreSQL and Redis.</summary>
[Collection(PostgresRedisBookingCloudCollection.Name)]
public sealed class PostgresRedisBookingsApiTests(PostgresRedisBookingCloud cloud) : BookingsApiTests(cloud)
{
    [Fact]
    public void Host_RunsOnPostgresAndRedis() => PostgresRedisBookingCloud.AssertOnPostgresAndRedis(cloud.Services);
}
