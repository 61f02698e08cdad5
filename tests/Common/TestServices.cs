using Npgsql;

namespace ParkingLot.Tests.Common;

/// <summary>
/// The throwaway PostgreSQL, Redis and Mosquitto that ./test.sh starts, as environment variables.
/// A missing service is a failure, never a skip: run the suite through ./test.sh.
/// </summary>
internal static class TestServices
{
    /// <summary>Npgsql connection string of a superuser on the throwaway cluster.</summary>
    public static string PostgresConnectionString => Require("PARKINGLOT_TEST_POSTGRES");

    /// <summary>StackExchange.Redis configuration string.</summary>
    public static string RedisConfiguration => Require("PARKINGLOT_TEST_REDIS");

    /// <summary>Mosquitto as host:port.</summary>
    public static (string Host, int Port) Mosquitto
    {
        get
        {
            var value = Require("PARKINGLOT_TEST_MOSQUITTO");
            var colon = value.LastIndexOf(':');
            return (value[..colon], int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Creates a fresh database for one test class and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(PostgresConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. Run the tests through ./test.sh, which starts PostgreSQL, Redis and Mosquitto and exports it.");
}
