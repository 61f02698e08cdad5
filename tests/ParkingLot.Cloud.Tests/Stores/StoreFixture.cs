using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Payments;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Stores;

/// <summary>
/// One store of each kind, built without a host: the contract tests call the interfaces directly.
/// Each test class gets a fresh store (a temp SQLite file, or a fresh PostgreSQL database) with the
/// migrations applied; tests use unique lot ids, so they never see each other's rows.
/// </summary>
public abstract class StoreFixture : IAsyncLifetime
{
    internal IStoreDatabase Database { get; private protected set; } = null!;

    internal ILotStore Lots { get; private protected set; } = null!;

    internal IAvailabilityStore Availability { get; private protected set; } = null!;

    internal IEdgeSyncStore EdgeSync { get; private protected set; } = null!;

    internal IBookingStore Bookings { get; private protected set; } = null!;

    internal IPaymentStore Payments { get; private protected set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Pairs of held/confirmed, not stale bookings of one spot whose windows overlap, counted by SQL in the store itself.</summary>
    public abstract Task<long> CountOverlappingPairsAsync(string lotId, DateTimeOffset now);

    /// <summary>Applied migration script names, in order.</summary>
    public abstract Task<IReadOnlyList<string>> AppliedMigrationsAsync();

    /// <summary>Runs a statement the stores never run (a writer that bypasses them).</summary>
    public abstract Task ExecuteAsync(string sql);
}

public sealed class SqliteStoreFixture : StoreFixture
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("parkinglot-store-tests-");
    private SqliteDatabase? _database;

    public override async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _directory.FullName }), NullLogger<SqliteDatabase>.Instance);
        await _database.InitializeAsync(TestContext.Token);
        var lots = new SqliteLotStore(_database);
        (Database, Lots, Availability, EdgeSync, Bookings, Payments) =
            (_database, lots, lots, new SqliteEdgeSyncStore(_database), new SqliteBookingStore(_database), new SqlitePaymentStore(_database));
    }

    public override Task DisposeAsync()
    {
        _database?.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    public override async Task<long> CountOverlappingPairsAsync(string lotId, DateTimeOffset now)
    {
        await using var connection = await _database!.OpenAsync(TestContext.Token);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT count(*) FROM bookings a JOIN bookings b
              ON a.lot_id = b.lot_id AND a.spot_id = b.spot_id AND a.booking_id < b.booking_id
             AND a.start_ms < b.end_ms AND b.start_ms < a.end_ms
            WHERE a.lot_id = $lot
              AND (a.status = 'confirmed' OR (a.status = 'held' AND a.expires_at_ms > $now))
              AND (b.status = 'confirmed' OR (b.status = 'held' AND b.expires_at_ms > $now))
            """;
        command.Parameters.AddWithValue("$lot", lotId);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return (long)(await command.ExecuteScalarAsync(TestContext.Token))!;
    }

    public override async Task ExecuteAsync(string sql)
    {
        await using var connection = await _database!.OpenAsync(TestContext.Token);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Token);
    }

    public override async Task<IReadOnlyList<string>> AppliedMigrationsAsync()
    {
        await using var connection = await _database!.OpenAsync(TestContext.Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ScriptName FROM SchemaVersions ORDER BY SchemaVersionID";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Token);
        while (await reader.ReadAsync(TestContext.Token))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

public sealed class PostgresStoreFixture : StoreFixture
{
    private NpgsqlDataSource? _dataSource;
    private PostgresHoldPipeline? _pipeline;

    /// <summary>The test database, for statements the stores never run (a writer that bypasses them).</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialized.");

    public override async Task InitializeAsync()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("store_contract", TestContext.Token);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _pipeline = new PostgresHoldPipeline(connectionString, NullLoggerFactory.Instance);
        var database = new PostgresDatabase(_dataSource, new PostgresConnectionString(connectionString), NullLogger<PostgresDatabase>.Instance);
        await database.InitializeAsync(TestContext.Token);
        var lots = new PostgresLotStore(_dataSource);
        (Database, Lots, Availability, EdgeSync, Bookings, Payments) = (
            database, lots, lots, new PostgresEdgeSyncStore(_dataSource), new PostgresBookingStore(_dataSource, _pipeline), new PostgresPaymentStore(_dataSource));
    }

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }
    }

    public override async Task<long> CountOverlappingPairsAsync(string lotId, DateTimeOffset now)
    {
        await using var command = _dataSource!.CreateCommand("""
            SELECT count(*) FROM bookings a JOIN bookings b
              ON a.lot_id = b.lot_id AND a.spot_id = b.spot_id AND a.booking_id < b.booking_id AND a.period && b.period
            WHERE a.lot_id = $1
              AND (a.status = 'confirmed' OR (a.status = 'held' AND a.expires_at > $2))
              AND (b.status = 'confirmed' OR (b.status = 'held' AND b.expires_at > $2))
            """);
        command.Parameters.AddWithValue(lotId);
        command.Parameters.AddWithValue(now.ToUniversalTime());
        return (long)(await command.ExecuteScalarAsync(TestContext.Token))!;
    }

    public override async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(TestContext.Token);
    }

    public override async Task<IReadOnlyList<string>> AppliedMigrationsAsync()
    {
        await using var command = _dataSource!.CreateCommand("SELECT scriptname FROM schemaversions ORDER BY schemaversionsid");
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Token);
        while (await reader.ReadAsync(TestContext.Token))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
