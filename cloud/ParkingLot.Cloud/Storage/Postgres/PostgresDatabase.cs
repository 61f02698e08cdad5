using Npgsql;

namespace ParkingLot.Cloud.Storage.Postgres;

/// <summary>
/// The production store: PostgreSQL through one <see cref="NpgsqlDataSource"/> (the connection pool),
/// schema by the plain-SQL migrations in Storage/Postgres/Migrations.
/// </summary>
internal sealed class PostgresDatabase(NpgsqlDataSource dataSource, PostgresConnectionString connectionString, ILogger<PostgresDatabase> logger)
    : IStoreDatabase
{
    // Any constant the instances agree on: pg_advisory_lock keys are cluster-wide per database.
    private const long MigrationLockKey = 0x50_4C_4D_49_47; // "PLMIG"

    public string Kind => "postgres";

    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>
    /// Runs the migrations not applied yet. Instances starting together take turns on an advisory lock,
    /// so exactly one applies each script and the others find it journaled.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            // DbUp opens its own connection from the full connection string (the data source's copy
            // drops the password once it has connected).
            var applied = await Task.Run(
                () => Migrations.Run(DbUp.DeployChanges.To.PostgresqlDatabase(connectionString.Value), "Postgres"), cancellationToken);
            Log.MigrationsApplied(logger, Kind, applied.Count, string.Join(", ", applied));
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM lots");
        return await command.ExecuteScalarAsync(cancellationToken) is long;
    }
}

/// <summary><c>ConnectionStrings:Postgres</c> as configured (with its password), for the migration runner.</summary>
internal sealed record PostgresConnectionString(string Value);

/// <summary>Small helpers that keep the ADO.NET code of the stores short.</summary>
internal static class NpgsqlCommandExtensions
{
    public static NpgsqlCommand With(this NpgsqlCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>timestamptz parameters must be UTC for Npgsql.</summary>
    public static NpgsqlCommand WithTime(this NpgsqlCommand command, string name, DateTimeOffset? value) =>
        command.With(name, value?.ToUniversalTime());

    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? GetTimeOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static string? GetStringOrNull(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static NpgsqlCommand Command(this NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);
}
