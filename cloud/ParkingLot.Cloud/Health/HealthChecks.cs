using Microsoft.Extensions.Diagnostics.HealthChecks;
using ParkingLot.Cloud.Mqtt;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Health;

/// <summary>Readiness: the store answers a query.</summary>
internal sealed class StoreHealthCheck(IStoreDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.PingAsync(cancellationToken)
                ? HealthCheckResult.Healthy("store reachable")
                : HealthCheckResult.Unhealthy("store gave no answer");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("store unreachable", ex);
        }
    }
}

/// <summary>Readiness: connected to the broker and subscribed to the edge topics.</summary>
internal sealed class BrokerHealthCheck(CloudMqttConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.IsReady
            ? HealthCheckResult.Healthy("broker connected")
            : HealthCheckResult.Unhealthy("broker not connected"));
}
