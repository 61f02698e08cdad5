extern alias cloud;

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Benchmarks;

/// <summary>
/// The real cloud service, in this process, on Kestrel over loopback: PostgreSQL and Redis when
/// PARKINGLOT_TEST_POSTGRES / PARKINGLOT_TEST_REDIS are set (a fresh database, a unique key prefix),
/// else its embedded SQLite store and in-process cache. Rate limits off: one load generator is one IP.
/// </summary>
internal sealed class CloudHost : WebApplicationFactory<cloud::Program>
{
    public const int Lots = 1000;
    public const int SpotsPerLot = 500;

    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, string?> _settings;

    private CloudHost(Dictionary<string, string?> settings, string? postgres)
    {
        _settings = settings;
        Postgres = postgres;
        Port = FreeTcpPort();
        UseKestrel(Port);
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>Connection string of the benchmark's own database, or null on the embedded store.</summary>
    public string? Postgres { get; }

    public bool UsesRedis => _settings.ContainsKey("ConnectionStrings:Redis");

    public string StoreName => (Postgres is null ? "SQLite" : "PostgreSQL") + (UsesRedis ? " + Redis" : " + in-process cache");

    public static GeoPoint Center { get; } = new(52.5, 13.4);

    public static string LotId(int i) => $"bench-{i:0000}";

    public static async Task<CloudHost> StartAsync(CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "false",
            ["Mqtt:ListenPort"] = FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = $"cloud-bench-{Guid.NewGuid():N}",
        };
        string? postgres = null;
        if (Environment.GetEnvironmentVariable("PARKINGLOT_TEST_POSTGRES") is { Length: > 0 } server)
        {
            postgres = await CreateDatabaseAsync(server, cancellationToken);
            settings["ConnectionStrings:Postgres"] = postgres;
        }

        if (Environment.GetEnvironmentVariable("PARKINGLOT_TEST_REDIS") is { Length: > 0 } redis)
        {
            settings["ConnectionStrings:Redis"] = redis;
            settings["Redis:KeyPrefix"] = $"bench-{Guid.NewGuid():N}:";
        }

        var host = new CloudHost(settings, postgres);
        host.StartServer();
        await host.LoadAsync(cancellationToken);
        return host;
    }

    /// <summary>Drivers for the booking benchmark, created straight in the store, with access tokens.</summary>
    public async Task<IReadOnlyList<string>> CreateDriverTokensAsync(int count, CancellationToken cancellationToken)
    {
        var store = Services.GetRequiredService<IAccountStore>();
        var tokens = Services.GetRequiredService<TokenService>();
        var hash = new PasswordHasher<UserAccount>().HashPassword(null!, "Bench-password-1");
        var result = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var user = new UserAccount(Guid.NewGuid(), $"bench-{Guid.NewGuid():N}@example.test", "Bench", hash, [Roles.Driver], TimeProvider.System.GetUtcNow());
            await store.CreateUserAsync(user, cancellationToken);
            result.Add(tokens.CreateAccessToken(user.Id, user.Email, user.Roles, TimeProvider.System.GetUtcNow()));
        }

        return result;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Storage:DataDirectory", Path.Combine(_folder.Path, "store"));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Error));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }

    /// <summary>
    /// 1,000 lots of 500 car spots each, scattered within ~30 km of <see cref="Center"/>, with the demo
    /// tariff and all spots in the cloud's share. On PostgreSQL the spots go in with one binary COPY,
    /// and a year of past bookings with another.
    /// </summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var store = Services.GetRequiredService<ILotStore>();
        var tariff = TariffBenchmark.LoadDemoTariff();
        var random = new Random(7);
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < Lots; i++)
        {
            var location = new GeoPoint(Center.Lat + (random.NextDouble() - 0.5) * 0.5, Center.Lng + (random.NextDouble() - 0.5) * 0.8);
            // On PostgreSQL the lot row comes with its first spot here and the other 499 by COPY below.
            var spots = Enumerable.Range(0, Postgres is null ? SpotsPerLot : 1)
                .Select(s => new SpotDescription($"S{s:000}", VehicleType.Car, "Z" + (s / 100), null)).ToList();
            await store.UpsertAsync(new LotDescription(LotId(i), $"Bench lot {i}", "Europe/Berlin", location, spots), cancellationToken);
        }

        if (Postgres is not null)
        {
            await CopySpotsAsync(cancellationToken);
        }

        for (var i = 0; i < Lots; i++)
        {
            await store.PublishTariffAsync(LotId(i), tariff, now, cancellationToken);
            await store.SetCapacityAsync(LotId(i), new Dictionary<VehicleType, int> { [VehicleType.Car] = SpotsPerLot }, now, cancellationToken);
        }

        Services.GetRequiredService<LotCatalog>().Invalidate();
    }

    private async Task CopySpotsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(cancellationToken);
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY spots (lot_id, spot_id, vehicle_type, zone, rank) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < Lots; i++)
            {
                for (var s = 1; s < SpotsPerLot; s++)
                {
                    await import.StartRowAsync(cancellationToken);
                    await import.WriteAsync(LotId(i), NpgsqlDbType.Text, cancellationToken);
                    await import.WriteAsync($"S{s:000}", NpgsqlDbType.Text, cancellationToken);
                    await import.WriteAsync("car", NpgsqlDbType.Text, cancellationToken);
                    await import.WriteAsync("Z" + (s / 100), NpgsqlDbType.Text, cancellationToken);
                    await import.WriteAsync(s, NpgsqlDbType.Integer, cancellationToken);
                }
            }

            await import.CompleteAsync(cancellationToken);
        }

        await CopyBookingHistoryAsync(connection, cancellationToken);
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A year of bookings (DESIGN §9): every lot one confirmed two-hour booking a day for the past
    /// 365 days, on spots taken in turn — 365,000 rows through the exclusion constraint and every
    /// index, so holds, availability and search are measured against a table with history.
    /// </summary>
    private static async Task CopyBookingHistoryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var today = TimeProvider.System.GetUtcNow().UtcDateTime.Date;
        var random = new Random(3);
        await using var import = await connection.BeginBinaryImportAsync(
            "COPY bookings (booking_id, user_id, status, lot_id, spot_id, vehicle_type, period, amount_minor, currency, tariff_version, demand_percent, created_at, version) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        for (var day = 365; day >= 1; day--)
        {
            for (var i = 0; i < Lots; i++)
            {
                var start = today.AddDays(-day).AddHours(6 + random.Next(12));
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(Guid.CreateVersion7(new DateTimeOffset(start.AddDays(-1))), NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync($"history-{i % 500}", NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync("confirmed", NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(LotId(i), NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync($"S{day % SpotsPerLot:000}", NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync("car", NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(new NpgsqlRange<DateTime>(start, true, start.AddHours(2), false), NpgsqlDbType.TimestampTzRange, cancellationToken);
                await import.WriteAsync(700L, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync("EUR", NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync("history", NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(100, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(start.AddDays(-1), NpgsqlDbType.TimestampTz, cancellationToken);
                await import.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
            }
        }

        await import.CompleteAsync(cancellationToken);
    }

    private static async Task<string> CreateDatabaseAsync(string server, CancellationToken cancellationToken)
    {
        var name = $"bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 100 }.ConnectionString;
    }

    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
