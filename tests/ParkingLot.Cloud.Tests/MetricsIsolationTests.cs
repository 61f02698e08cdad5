using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>
/// Two cloud hosts in one process (as in this test run): each /metrics shows only its own counters,
/// and stopping one host leaves the other's counters in place.
/// </summary>
[Collection(CloudCollection.Name)]
public sealed class MetricsIsolationTests(CloudApplication cloud)
{
    private const string StatesRejected = "parkinglot_ingest_states_rejected_total";

    [Fact]
    public async Task Metrics_WithASecondHostStartedAndStopped_EachHostReportsOnlyItsOwnCounters()
    {
        var metrics = cloud.Services.GetRequiredService<EdgeSyncMetrics>();
        metrics.StateRejected();
        var before = await cloud.MetricAsync(StatesRejected);

        double otherBefore, otherAfter;
        await using (var other = new ConfiguredCloud(new Dictionary<string, string?>()))
        {
            using var client = other.CreateClient();
            otherBefore = CloudApplication.ReadMetric(await client.GetStringAsync("/metrics", TestContext.Token), StatesRejected, null);
            other.Services.GetRequiredService<EdgeSyncMetrics>().StateRejected();
            metrics.StateRejected();
            otherAfter = CloudApplication.ReadMetric(await client.GetStringAsync("/metrics", TestContext.Token), StatesRejected, null);
        }

        var after = await cloud.MetricAsync(StatesRejected);

        Assert.True(before >= 1, $"the shared host shows its own count before the second host starts ({before})");
        Assert.Equal(0, otherBefore);
        Assert.Equal(1, otherAfter);
        Assert.Equal(before + 1, after);
    }
}
