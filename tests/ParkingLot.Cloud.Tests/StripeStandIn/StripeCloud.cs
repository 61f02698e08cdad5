using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.StripeStandIn;

/// <summary>
/// A <see cref="BookingCloud"/> whose Stripe.net talks to a <see cref="StripeStandIn"/> (through
/// <c>Stripe:ApiBase</c>) and whose webhook secret is the stand-in's, so the stand-in's webhooks reach
/// it signed. Gateway retries wait no time (the service's clock is a fake one that only tests move);
/// the circuit breaker's break lasts until a test advances that clock by a minute.
/// </summary>
public class StripeCloud : BookingCloud
{
    public StripeStandIn Stripe { get; private set; } = null!;

    /// <summary>Every log line of the host at every level, from its start.</summary>
    public CapturedLogs Logs { get; } = new();

    public override async Task InitializeAsync()
    {
        Stripe = await StripeStandIn.StartAsync();
        Stripe.Clock = Clock;
        await base.InitializeAsync();
        Stripe.WebhookTarget = CreateClient();
    }

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        ConfigureStores(builder);
        builder.UseSetting("Stripe:SecretKey", StripeStandIn.ApiKey);
        builder.UseSetting("Stripe:WebhookSecret", Stripe.WebhookSecret);
        builder.UseSetting("Stripe:ApiBase", Stripe.ApiBase.ToString());
        builder.UseSetting("Payments:RetryAttempts", "2");
        builder.UseSetting("Payments:RetryDelay", "00:00:00");
        builder.UseSetting("Payments:BreakDuration", "00:01:00");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
    }

    /// <summary>The stores of the host: the embedded defaults here, PostgreSQL and Redis in <see cref="PostgresRedisStripeCloud"/>.</summary>
    protected virtual void ConfigureStores(IWebHostBuilder builder)
    {
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        Stripe.WebhookTarget?.Dispose();
        await Stripe.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StripeCloudCollection : ICollectionFixture<StripeCloud>
{
    public const string Name = "Stripe cloud";
}

/// <summary><see cref="StripeCloud"/> on PostgreSQL and Redis (a fresh database, a Redis key prefix of its own).</summary>
public sealed class PostgresRedisStripeCloud : StripeCloud
{
    private string _postgres = null!;

    public override async Task InitializeAsync()
    {
        _postgres = await TestServices.CreateDatabaseAsync("payments", TestContext.Token);
        await base.InitializeAsync();
    }

    protected override void ConfigureStores(IWebHostBuilder builder) =>
        PostgresRedisBookingCloud.UseProductionStores(builder, _postgres, TestServices.RedisConfiguration);
}

[CollectionDefinition(Name)]
public sealed class PostgresRedisStripeCloudCollection : ICollectionFixture<PostgresRedisStripeCloud>
{
    public const string Name = "Stripe cloud on PostgreSQL and Redis";
}
