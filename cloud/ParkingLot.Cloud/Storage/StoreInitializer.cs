namespace ParkingLot.Cloud.Storage;

/// <summary>Creates the embedded store's file and schema before anything else starts.</summary>
internal sealed class StoreInitializer(SqliteDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
