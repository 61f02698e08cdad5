using Microsoft.Data.Sqlite;

namespace ParkingLot.Benchmarks;

/// <summary>
/// The ceiling for the ledger: single-row INSERT commits into SQLite with the ledger's durability
/// (WAL, synchronous=FULL), on the same disk, in the same run.
/// </summary>
internal static class RawSqliteBenchmark
{
    public static async Task<double> DurableInsertsPerSecondAsync(string folder, int count, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, "raw.db");
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, hash TEXT NOT NULL);";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t(seq, id, payload, hash) VALUES ($seq, $id, $payload, $hash)";
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Text);
        var hash = insert.Parameters.Add("$hash", SqliteType.Text);
        insert.Prepare();
        const string Body = """{"spotId":"C001","vehicleType":"car","occupied":true,"sensorId":"sensor-C001"}""";
        return await Measure.ThroughputAsync(count, async i =>
        {
            // Autocommit: one durable transaction per row, as the ledger commits one event per lane step.
            seq.Value = i + 1;
            id.Value = Guid.NewGuid().ToString("N");
            payload.Value = Body;
            hash.Value = "0000000000000000000000000000000000000000000000000000000000000000";
            await insert.ExecuteNonQueryAsync(cancellationToken);
        });
    }
}
