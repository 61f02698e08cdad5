using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using ParkingLot.Cloud.EdgeSync;

namespace ParkingLot.Cloud.Health;

internal static class HealthExtensions
{
    /// <summary>Tag of the checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Metrics (Prometheus text on <c>/metrics</c>) and the health-check service.</summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EdgeSyncMetrics.MeterName)
            // Built-in ASP.NET Core meters: request durations and connections without another package.
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            // No scrape cache: a scrape shows every counter change at once (tests and operators
            // read it right after an event), and the metric set is small.
            .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    /// <summary><c>/healthz</c> (the process serves requests), <c>/readyz</c> (store and broker usable), <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
