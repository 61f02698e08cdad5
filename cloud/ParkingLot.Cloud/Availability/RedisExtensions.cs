using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ParkingLot.Cloud.Health;
using StackExchange.Redis;

namespace ParkingLot.Cloud.Availability;

internal static class RedisExtensions
{
    /// <summary>
    /// With <c>ConnectionStrings:Redis</c> set: the availability cache moves to Redis (shared by every
    /// instance, changes fanned out over pub/sub) and readiness includes a Redis ping. Without it nothing
    /// changes. Call after AddAvailability. Idempotency keys stay in the SQL store: Redis is a cache and
    /// a fan-out, not a dependency of correctness, and a key lost with a Redis restart (no persistence)
    /// would let a retried POST book twice.
    /// </summary>
    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration.GetConnectionString(RedisOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configuration))
        {
            return builder;
        }

        builder.Services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(configuration);
            // Start even while Redis is down; the multiplexer keeps reconnecting and /readyz says so.
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });

        builder.Services.AddSingleton<RedisAvailabilityCache>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IAvailabilityCache>(sp => sp.GetRequiredService<RedisAvailabilityCache>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisAvailabilityCache>());

        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }
}

/// <summary>Ready when Redis answers a PING.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer.", exception);
        }
    }
}
