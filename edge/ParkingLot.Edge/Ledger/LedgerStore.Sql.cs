using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>SQLite plumbing: connections and their pragmas, commands, canonical JSON, the epoch id.</summary>
internal sealed partial class LedgerStore
{
    /// <summary>
    /// Connection string of the ledger file. Pooling is off so that disposing the store really closes
    /// the file (tests delete it; a technician may copy it).
    /// </summary>
    internal static string ConnectionString(string path, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString();

    private static async Task<SqliteConnection> OpenConnectionAsync(string path, SqliteOpenMode mode, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString(path, mode));
        try
        {
            await connection.OpenAsync(cancellationToken);

            // WAL lets the outbox read while the gate writes; FULL makes every commit survive a power
            // cut, not just a crash. busy_timeout covers a technician's sqlite3 holding a lock briefly.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;", cancellationToken);
            await EnsureDurableAsync(connection, path, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static long NewEpoch()
    {
        long epoch;
        do
        {
            epoch = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        }
        while (epoch == 0);
        return epoch;
    }

    /// <summary>
    /// The payload text as any System.Text.Json writer re-emits it. The serialiser writes some values
    /// unescaped (a '+' in a DateTimeOffset) that a JsonElement re-written inside an
    /// <see cref="EdgeEventBatch"/> gets escaped ("\u002B"), which would change the text the cloud
    /// hashes. Storing the re-emitted form makes the round trip an identity, so hashes survive transit.
    /// </summary>
    private static string Canonical(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var buffer = new ArrayBufferWriter<byte>(utf8.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.RootElement.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The stored text is kept byte for byte (JsonElement keeps its raw text), so LedgerHash.Matches
    // recomputes over exactly what was hashed at append time.

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T?> ScalarAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync(cancellationToken);
        if (value is null or DBNull)
        {
            return default;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }
}
