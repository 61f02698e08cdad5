using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Opens connections with the pragmas every
/// connection needs and migrates the schema (Storage/Sqlite/Migrations). The SQL of each feature
/// lives in its Sqlite*Store class.
/// </summary>
internal sealed class SqliteDatabase : IStoreDatabase, IDisposable
{
    private readonly string _connectionString;

    private readonly ILogger<SqliteDatabase> _logger;

    public SqliteDatabase(IOptions<StorageOptions> options, ILogger<SqliteDatabase> logger)
    {
        _logger = logger;
        var directory = Path.GetFullPath(options.Value.DataDirectory);
        FilePath = Path.Combine(directory, "cloud.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    public string Kind => "sqlite";

    /// <summary>
    /// The one writer of the file. SQLite has one writer per file anyway; queueing here instead of on
    /// the file lock keeps the busy timeout out of the write paths (ingest, bookings) and makes a
    /// check-and-insert inside <c>BEGIN IMMEDIATE</c> wait its turn in order.
    /// </summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Opens a pooled connection with durable commits (an ack follows a commit, I4).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the folder, switches the file to WAL (persistent) and runs the migrations not applied yet.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await WriteLock.WaitAsync(cancellationToken);
        try
        {
            var applied = await Task.Run(() => Migrations.Run(DbUp.DeployChanges.To.SqliteDatabase(_connectionString), "Sqlite"), cancellationToken);
            Log.MigrationsApplied(_logger, Kind, applied.Count, string.Join(", ", applied));
        }
        finally
        {
            WriteLock.Release();
        }
    }

    public void Dispose() => WriteLock.Dispose();

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM lots";
        return await command.ExecuteScalarAsync(cancellationToken) is long;
    }
}

/// <summary>Small helpers that keep the ADO.NET code of the stores short.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
