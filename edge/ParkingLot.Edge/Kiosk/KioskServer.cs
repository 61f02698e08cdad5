using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Kiosk;

/// <summary>
/// Serves the kiosk page and /kiosk/api with Kestrel inside the agent's generic host: a small web
/// application of its own, started and stopped with the agent, sharing the agent's singletons
/// (ledger, lot, devices). A kiosk that cannot bind its address is logged and left off; the gates
/// never depend on it.
/// </summary>
internal sealed class KioskServer(
    IPEndPoint listen,
    LotFile lot,
    KioskService kiosk,
    CashDesk cash,
    ReceiptPrinter receipts,
    KioskSimulation? simulation,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<KioskServer>();
    private WebApplication? _app;

    /// <summary>Where the page is served once started (with the real port when <c>listen</c> had port 0); null when not serving.</summary>
    public Uri? BaseAddress { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(KioskServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(listen);
        });
        builder.Services.AddRouting();
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, KioskJsonContext.Default));
        builder.Services.AddSingleton(lot);
        builder.Services.AddSingleton(kiosk);
        builder.Services.AddSingleton(cash);
        builder.Services.AddSingleton(receipts);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        KioskPage.Map(app);
        app.MapKioskApi(simulation);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            Log.KioskBindFailed(_logger, listen.ToString(), ex.Message);
            await app.DisposeAsync();
            return;
        }

        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        Log.KioskListening(_logger, BaseAddress.ToString(), cash.Available, kiosk.CardAvailable, receipts.Available);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }
}

/// <summary>The page itself: three embedded files, no CDN, so it works with the network down.</summary>
internal static class KioskPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/kiosk.css", "kiosk.css", "text/css; charset=utf-8"),
        ("/kiosk.js", "kiosk.js", "text/javascript; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(path, () => TypedResults.Bytes(bytes, contentType));
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(KioskPage).Assembly.GetManifestResourceStream("ParkingLot.Edge.Kiosk.wwwroot." + name)
            ?? throw new InvalidOperationException($"The kiosk page file {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
