namespace ParkingLot.Cloud.EdgeSync;

internal static class EdgeSyncExtensions
{
    /// <summary>The reconciler and its counters; the transport that feeds it is added by AddMqtt.</summary>
    public static IHostApplicationBuilder AddEdgeSync(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EdgeSyncMetrics>();
        builder.Services.AddSingleton<EdgeReconciler>();
        return builder;
    }
}
