using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ParkingLot.Benchmarks;

/// <summary>
/// The ceiling for the availability endpoint: Kestrel serving a constant JSON document of the same
/// shape and size from a minimal-API endpoint, nothing else in the pipeline, in the same process and run.
/// </summary>
internal sealed class BareKestrel : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareKestrel(WebApplication app, Uri address) => (_app, Address) = (app, address);

    public Uri Address { get; }

    public static async Task<BareKestrel> StartAsync(CancellationToken cancellationToken)
    {
        var port = CloudHost.FreeTcpPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var body = new
        {
            lotId = "lot-0001",
            asOf = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero),
            vehicleTypes = new[] { new { vehicleType = "car", capacity = 500, occupied = 0, free = 500, reservable = 500, reserved = 0 } },
        };
        app.MapGet("/json", () => TypedResults.Json(body));
        await app.StartAsync(cancellationToken);
        return new BareKestrel(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
