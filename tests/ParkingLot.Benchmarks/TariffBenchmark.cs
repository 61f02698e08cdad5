using System.Diagnostics;
using System.Text.Json;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Benchmarks;

/// <summary>Tariff engine quotes per second on one thread, over stays from a minute to three days.</summary>
internal static class TariffBenchmark
{
    public static IReadOnlyList<BenchmarkResult> Run(CancellationToken cancellationToken)
    {
        var tariff = LoadDemoTariff();
        var random = new Random(42);
        var types = tariff.VehicleTypes.Keys.ToArray();
        var start = new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);
        var stays = Enumerable.Range(0, 10_000)
            .Select(_ => (Type: types[random.Next(types.Length)], Entry: start.AddMinutes(random.Next(0, 7 * 24 * 60)), Minutes: random.Next(1, 3 * 24 * 60)))
            .ToArray();

        long checksum = 0;
        foreach (var s in stays.Take(1000))
        {
            checksum += TariffEngine.Quote(tariff, s.Type, s.Entry, s.Entry.AddMinutes(s.Minutes)).Total.Minor; // warm-up
        }

        const int Rounds = 20;
        var sw = Stopwatch.StartNew();
        for (var round = 0; round < Rounds && !cancellationToken.IsCancellationRequested; round++)
        {
            foreach (var s in stays)
            {
                checksum += TariffEngine.Quote(tariff, s.Type, s.Entry, s.Entry.AddMinutes(s.Minutes), occupancy: 0.85).Total.Minor;
            }
        }

        var rate = Rounds * stays.Length / sw.Elapsed.TotalSeconds;
        return [new BenchmarkResult("tariff quotes (1 thread)", rate, "quotes/s", 20_000, HigherIsBetter: true, $"checksum {checksum % 100_000}")];
    }

    internal static TariffDefinition LoadDemoTariff()
    {
        var path = RepositoryFile("hardware/lots/demo-lot.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("tariff").Deserialize(ParkingLotJsonContext.Default.TariffDefinition)
            ?? throw new InvalidOperationException($"{path} has no tariff");
    }

    /// <summary>Finds a file of the repository from the benchmark's working directory or binary folder.</summary>
    internal static string RepositoryFile(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()}; run from the repository.");
    }
}
