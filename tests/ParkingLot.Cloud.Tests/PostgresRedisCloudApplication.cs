using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>
/// <see cref="CloudApplication"/> on the production stores: a fresh database of the PostgreSQL that
/// ./test.sh starts and its Redis under a key prefix of its own.
/// </summary>
public sealed class PostgresRedisCloudApplication : CloudApplication
{
    private string _postgres = null!;

    public override async Task InitializeAsync()
    {
        _postgres = await TestServices.CreateDatabaseAsync("cloud", TestContext.Token);
        await base.InitializeAsync();
    }

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Postgres", _postgres);
        builder.UseSetting("ConnectionStrings:Redis", TestServices.RedisConfiguration);
        builder.UseSetting("Redis:KeyPrefix", $"test-{Guid.NewGuid():N}:");
        builder.UseSetting("Mqtt:ClientId", $"cloud-pg-redis-{Guid.NewGuid():N}");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresRedisCloudCollection : ICollectionFixture<PostgresRedisCloudApplication>
{
    public const string Name = "Cloud on PostgreSQL and Redis";
}

/// <summary>The lot, availability, health and metrics API tests again, on PostgreSQL and Redis.</summary>
[Collection(PostgresRedisCloudCollection.Name)]
public sealed class PostgresRedisCloudApiTests(PostgresRedisCloudApplication cloud) : CloudApiTests(cloud)
{
    [Fact]
    public void Host_RunsOnPostgresAndRedis()
    {
        Assert.IsType<ParkingLot.Cloud.Storage.Postgres.PostgresLotStore>(cloud.Services.GetRequiredService<ParkingLot.Cloud.Lots.ILotStore>());
        Assert.IsType<ParkingLot.Cloud.Availability.RedisAvailabilityCache>(cloud.Services.GetRequiredService<ParkingLot.Cloud.Availability.IAvailabilityCache>());
    }
}
