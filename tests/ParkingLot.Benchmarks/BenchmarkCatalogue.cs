namespace ParkingLot.Benchmarks;

/// <summary>Every benchmark, in the order `all` runs them.</summary>
internal static class BenchmarkCatalogue
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("tariff", "tariff engine quotes/s over random stays of the demo tariff", ct => Task.FromResult(TariffBenchmark.Run(ct))),
        new("ledger", "edge ledger durable appends/s beside raw SQLite durable inserts/s, same disk, same run", LedgerBenchmark.RunAsync),
        new("lane", "edge entry lane loop-detect → barrier-open latency on simulated GPIO, durable commits included", LaneBenchmark.RunAsync),
        new("availability", "cloud availability requests/s, p50/p99 over loopback HTTP beside a bare Kestrel JSON endpoint, same run", CloudBenchmarks.AvailabilityAsync),
        new("booking", "cloud booking holds/s and p99 beside raw constrained PostgreSQL inserts/s, same run", CloudBenchmarks.BookingAsync),
        new("search", "cloud nearby search p99 over 1,000 lots", CloudBenchmarks.SearchAsync),
    ];
}

/// <summary>A folder under the system temp directory, removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"parkinglot-bench-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A benchmark that still holds a file open leaves the folder; temp is cleaned by the OS.
        }
    }
}
