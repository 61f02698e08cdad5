using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>
/// One cloud on its embedded defaults: SQLite in a temp folder, the in-process broker on a free
/// port, and one lot seeded from a lot file. Tests create their own lots (unique ids) on it.
/// Variants (other stores) override <see cref="ConfigureMore"/>.
/// </summary>
public class CloudApplication : WebApplicationFactory<Program>, IAsyncLifetime
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("parkinglot-cloud-tests-");

    public CloudApplication()
    {
        SeedFile = new LotFileBuilder().WithLotId(SeededLotId).WithName("Seeded Lot")
            .WithSpots(VehicleType.Car, 3).WithSpots(VehicleType.Ev, 2).WriteTo(_directory.FullName);
    }

    public int MqttPort { get; } = FreeTcpPort();

    public string SeededLotId { get; } = $"seeded-{Guid.NewGuid():N}"[..20];

    public string SeedFile { get; }

    internal EdgeReconciler Reconciler => Services.GetRequiredService<EdgeReconciler>();

    public virtual async Task InitializeAsync()
    {
        using var client = CreateClient();
        await TestContext.WaitUntilAsync(
            async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "/readyz (store initialised, broker connected and subscribed)");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        _directory.Delete(recursive: true);
    }

    /// <summary>A fresh lot of 3 cars and 2 EVs (spots C1–C3, E1–E2) unless configured otherwise.</summary>
    internal async Task<LotDescription> CreateLotAsync(Action<LotFileBuilder>? configure = null)
    {
        var builder = new LotFileBuilder().WithLotId($"t-{Guid.NewGuid():N}"[..18]);
        if (configure is null)
        {
            builder.WithSpots(VehicleType.Car, 3).WithSpots(VehicleType.Ev, 2);
        }
        else
        {
            configure(builder);
        }

        var lot = builder.Build();
        await Services.GetRequiredService<ILotStore>().UpsertAsync(lot, TestContext.Token);
        await Services.GetRequiredService<AvailabilityService>().RefreshAsync(lot.LotId, TestContext.Token);
        return lot;
    }

    internal async Task<LotAvailability> GetAvailabilityAsync(string lotId)
    {
        using var client = CreateClient();
        return (await client.GetFromJsonAsync<LotAvailability>($"/api/v1/lots/{lotId}/availability", Json, TestContext.Token))!;
    }

    /// <summary>Free spots per vehicle type, e.g. "car=3 ev=2".</summary>
    internal async Task<string> FreeAsync(string lotId) =>
        string.Join(' ', (await GetAvailabilityAsync(lotId)).VehicleTypes.Select(t => $"{t.VehicleType.ToString().ToLowerInvariant()}={t.Free}"));

    internal async Task<EdgeSyncStatus> StatusAsync(string lotId) =>
        (await Services.GetRequiredService<IEdgeSyncStore>().GetStatusAsync(lotId, TestContext.Token))!;

    /// <summary>Stored events of a lot over all epochs.</summary>
    internal async Task<long> StoredEventsAsync(string lotId) => (await StatusAsync(lotId)).Epochs.Sum(e => e.StoredEvents);

    /// <summary>A sample's value from GET /metrics (0 when the series does not exist yet).</summary>
    internal async Task<double> MetricAsync(string name, string? reason = null)
    {
        using var client = CreateClient();
        var text = await client.GetStringAsync("/metrics", TestContext.Token);
        return ReadMetric(text, name, reason);
    }

    internal static double ReadMetric(string text, string name, string? reason)
    {
        var labels = reason is null ? @"(?:\{[^}]*\})?" : $@"\{{[^}}]*reason=""{Regex.Escape(reason)}""[^}}]*\}}";
        var match = Regex.Match(text, $@"^{Regex.Escape(name)}{labels} (\S+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", Path.Combine(_directory.FullName, "store"));
        builder.UseSetting("Mqtt:ListenPort", MqttPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Mqtt:ClientId", "cloud-under-test");
        builder.UseSetting("Lots:SeedFiles:0", SeedFile);
        // The suite shares one host and one anonymous "IP"; the rate-limit tests run their own host with low limits.
        builder.UseSetting("RateLimits:PerUserPerMinute", "1000000");
        builder.UseSetting("RateLimits:PerIpPerMinute", "1000000");
        builder.UseSetting("RateLimits:AuthPerIpPerMinute", "1000000");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        ConfigureMore(builder);
    }

    /// <summary>Further settings of a derived cloud, applied after the ones above.</summary>
    protected virtual void ConfigureMore(IWebHostBuilder builder)
    {
    }

    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Every test that starts the cloud shares one instance and runs one at a time. Other hosts
/// (ConfiguredCloud, BookingCloud) may run beside it: each host exports only the meters of its own
/// IMeterFactory (MeterScope.Local, see HealthExtensions.AddTelemetry), so their counters never mix.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CloudCollection : ICollectionFixture<CloudApplication>
{
    public const string Name = "Cloud";
}
