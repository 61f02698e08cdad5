namespace ParkingLot.Benchmarks;

/// <summary>Every benchmark, in the order `all` runs them.</summary>
internal static class BenchmarkCatalogue
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("sqlite-raw", "raw SQLite single-row durable commits/s (WAL, synchronous=FULL)", async ct =>
        {
            using var folder = new TempFolder();
            var rate = await RawSqliteBenchmark.DurableInsertsPerSecondAsync(folder.Path, 3000, ct);
            return [new BenchmarkResult("sqlite raw durable commits", rate, "commits/s", null, HigherIsBetter: true, "ceiling for the ledger")];
        }),
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
