using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>
/// The account and idempotency stores of one kind, migrated, without a host: the contract suites call
/// the interfaces directly. Each test class gets a fresh SQLite file or PostgreSQL database.
/// </summary>
public abstract class AccessStoreFixture : IAsyncLifetime
{
    internal IAccountStore Accounts { get; private protected set; } = null!;

    internal IIdempotencyStore Idempotency { get; private protected set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();
}

public sealed class SqliteAccessStoreFixture : AccessStoreFixture
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("parkinglot-access-tests-");
    private SqliteDatabase? _database;

    public override async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _directory.FullName }), NullLogger<SqliteDatabase>.Instance);
        await _database.InitializeAsync(TestContext.Token);
        (Accounts, Idempotency) = (new SqliteAccountStore(_database), new SqliteIdempotencyStore(_database));
    }

    public override Task DisposeAsync()
    {
        _database?.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresAccessStoreFixture : AccessStoreFixture
{
    private NpgsqlDataSource? _dataSource;

    public override async Task InitializeAsync()
    {
        var connectionString = await TestServices.CreateDatabaseAsync("access", TestContext.Token);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        await new PostgresDatabase(_dataSource, new PostgresConnectionString(connectionString), NullLogger<PostgresDatabase>.Instance)
            .InitializeAsync(TestContext.Token);
        (Accounts, Idempotency) = (new PostgresAccountStore(_dataSource), new PostgresIdempotencyStore(_dataSource));
    }

    public override async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
