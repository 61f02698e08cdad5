using Npgsql;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Health;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Storage.Postgres;

namespace ParkingLot.Cloud.Storage;

internal static class StorageExtensions
{
    /// <summary>The configuration key that selects PostgreSQL.</summary>
    public const string PostgresConnectionStringName = "Postgres";

    /// <summary>
    /// The store behind the per-feature interfaces: PostgreSQL when <c>ConnectionStrings:Postgres</c>
    /// is set, else the embedded SQLite file under <c>Storage:DataDirectory</c>. Nothing else changes
    /// with the choice. The schema is migrated before any other hosted service starts.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var postgres = builder.Configuration.GetConnectionString(PostgresConnectionStringName);
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            builder.Services.AddSingleton(new PostgresConnectionString(postgres));
            builder.Services.AddSingleton(sp =>
            {
                var source = new NpgsqlDataSourceBuilder(postgres).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
                // The stores never change session state (no SET, temporary tables, LISTEN or session
                // advisory locks outside the migration lock, which is released explicitly), so a pooled
                // connection needs no DISCARD-style reset: that was seven statements in front of every
                // booking hold. An open transaction is still rolled back when a connection returns.
                source.ConnectionStringBuilder.NoResetOnClose = true;
                return source.Build();
            });
            builder.Services.AddSingleton(sp => new PostgresHoldPipeline(postgres, sp.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddSingleton<PostgresDatabase>();
            builder.Services.AddSingleton<IStoreDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
            builder.Services.AddSingleton<PostgresLotStore>();
            builder.Services.AddSingleton<ILotStore>(sp => sp.GetRequiredService<PostgresLotStore>());
            builder.Services.AddSingleton<IAvailabilityStore>(sp => sp.GetRequiredService<PostgresLotStore>());
            builder.Services.AddSingleton<IEdgeSyncStore, PostgresEdgeSyncStore>();
            builder.Services.AddSingleton<IBookingStore, PostgresBookingStore>();
        }
        else
        {
            builder.Services.AddSingleton<SqliteDatabase>();
            builder.Services.AddSingleton<IStoreDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
            builder.Services.AddSingleton<SqliteLotStore>();
            builder.Services.AddSingleton<ILotStore>(sp => sp.GetRequiredService<SqliteLotStore>());
            builder.Services.AddSingleton<IAvailabilityStore>(sp => sp.GetRequiredService<SqliteLotStore>());
            builder.Services.AddSingleton<IEdgeSyncStore, SqliteEdgeSyncStore>();
            builder.Services.AddSingleton<IBookingStore, SqliteBookingStore>();
        }

        builder.Services.AddHostedService<StoreInitializer>();
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }
}
