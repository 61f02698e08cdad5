using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using ParkingLot.Cloud.EdgeSync;

namespace ParkingLot.Cloud.Health;

internal static class HealthExtensions
{
    /// <summary>Tag of the checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Meters exported on <c>/metrics</c>: our ingest counters and the built-in ASP.NET Core meters
    /// (request durations and connections without another package).
    /// </summary>
    private static readonly string[] ExportedMeters =
        [EdgeSyncMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>Metrics (Prometheus text on <c>/metrics</c>) and the health-check service.</summary>
    /// <remarks>
    /// The meters are enabled through the host's <see cref="IMetricsBuilder"/> with
    /// <see cref="MeterScope.Local"/>, not with <c>MeterProviderBuilder.AddMeter</c>: <c>AddMeter</c>
    /// makes the OpenTelemetry provider start its own process-wide <c>MeterListener</c> that matches
    /// meters by name only, so a provider also picks up the same-named instruments of every other
    /// host in the process (a second <c>WebApplication</c>, a test host) and merges them into one
    /// stream (same meter/instrument identity); when that other host stops and disposes its meters,
    /// the shared stream is completed and the counters vanish from this host's <c>/metrics</c>.
    /// The <see cref="IMetricsBuilder"/> rules instead feed OpenTelemetry's <c>IMetricsListener</c>
    /// only instruments whose <c>Meter.Scope</c> is this host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>,
    /// so each instance exports exactly its own counters.
    /// </remarks>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        foreach (var meter in ExportedMeters)
        {
            builder.Metrics.EnableMetrics(meter, instrumentName: null, listenerName: null, scopes: MeterScope.Local);
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            // No AddMeter here (see remarks). No scrape cache: a scrape shows every counter change at
            // once (tests and operators read it right after an event), and the metric set is small.
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
