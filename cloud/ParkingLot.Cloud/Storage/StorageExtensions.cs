using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Health;
using ParkingLot.Cloud.Lots;

namespace ParkingLot.Cloud.Storage;

internal static class StorageExtensions
{
    /// <summary>
    /// The embedded SQLite store under <c>Storage:DataDirectory</c>, behind the per-feature store
    /// interfaces. A PostgreSQL store (<c>ConnectionStrings:Postgres</c>) registers the same interfaces.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SqliteDatabase>();
        builder.Services.AddSingleton<SqliteLotStore>();
        builder.Services.AddSingleton<ILotStore>(sp => sp.GetRequiredService<SqliteLotStore>());
        builder.Services.AddSingleton<IAvailabilityStore>(sp => sp.GetRequiredService<SqliteLotStore>());
        builder.Services.AddSingleton<IEdgeSyncStore, SqliteEdgeSyncStore>();
        builder.Services.AddHostedService<StoreInitializer>();
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }
}
