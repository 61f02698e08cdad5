namespace ParkingLot.Cloud.Storage;

/// <summary>Migrates the chosen store's schema before anything else starts.</summary>
internal sealed class StoreInitializer(IStoreDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
