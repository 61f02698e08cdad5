using ParkingLot.Edge.Ledger;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Benchmarks;

/// <summary>
/// Edge ledger durable single-event appends/s (hash chain + state tables, one transaction each) beside
/// raw SQLite single-row inserts with the same durability, on the same disk, in the same run.
/// </summary>
internal static class LedgerBenchmark
{
    public static async Task<IReadOnlyList<BenchmarkResult>> RunAsync(CancellationToken cancellationToken)
    {
        const int Count = 3000;
        using var folder = new TempFolder();
        var raw = await RawSqliteBenchmark.DurableInsertsPerSecondAsync(folder.Path, Count, cancellationToken);

        await using var ledger = await LedgerStore.OpenAsync(Path.Combine(folder.Path, "ledger.db"), "bench-lot", TimeProvider.System, cancellationToken);
        var ledgerRate = await Measure.ThroughputAsync(Count, i =>
            ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged($"C{i % 120:000}", VehicleType.Car, i % 2 == 0, $"sensor-C{i % 120:000}"), cancellationToken));

        return
        [
            new BenchmarkResult("sqlite raw durable commits", raw, "commits/s", null, HigherIsBetter: true, "WAL + synchronous=FULL, same disk"),
            new BenchmarkResult("ledger durable appends", ledgerRate, "events/s", 1500, HigherIsBetter: true, "one event per transaction"),
            new BenchmarkResult("ledger vs raw sqlite", ledgerRate / raw * 100, "%", 50, HigherIsBetter: true, "same run"),
        ];
    }
}
