using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>Edge → cloud over a real MQTT connection to the in-process broker (I4).</summary>
[Collection(CloudCollection.Name)]
public sealed class EdgeIngestTests(CloudApplication cloud)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Publish_ValidBatch_AvailabilityChangesAndRetainedAckArrives()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Occupancy("C1", VehicleType.Car, true)
            .Occupancy("C2", VehicleType.Car, true)
            .Occupancy("E1", VehicleType.Ev, true);
        Assert.Equal("car=3 ev=2", await cloud.FreeAsync(lot.LotId));

        await using var edge = await TestEdgeClient.ConnectAsync(cloud.MqttPort);
        await edge.PublishAsync(ledger.All());

        await TestContext.WaitUntilAsync(async () => await cloud.FreeAsync(lot.LotId) == "car=1 ev=1", Timeout, "availability to drop");
        var availability = await cloud.GetAvailabilityAsync(lot.LotId);
        var cars = Assert.Single(availability.VehicleTypes, t => t.VehicleType == VehicleType.Car);
        Assert.Equal((3, 2, 1), (cars.Capacity, cars.Occupied, cars.Free));

        // A client that subscribes afterwards still gets the ack: it is retained.
        await using var lateSubscriber = await TestEdgeClient.ConnectAsync(cloud.MqttPort);
        await lateSubscriber.SubscribeAcksAsync(lot.LotId);
        await lateSubscriber.WaitForAckAsync(new CloudAck(1, 3));
        Assert.True(lateSubscriber.Acks[0].Retained);
    }

    [Fact]
    public async Task Publish_SameBatchTwice_SecondDeliveryChangesNothing()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Occupancy("C1", VehicleType.Car, true)
            .Occupancy("C1", VehicleType.Car, false)
            .Occupancy("C3", VehicleType.Car, true);
        await using var edge = await TestEdgeClient.ConnectAsync(cloud.MqttPort);
        await edge.SubscribeAcksAsync(lot.LotId);

        await edge.PublishAsync(ledger.All());
        await edge.WaitForAckAsync(new CloudAck(1, 3));
        var availabilityAfterFirst = await cloud.FreeAsync(lot.LotId);
        var duplicatesBefore = await cloud.MetricAsync("parkinglot_ingest_events_duplicate_total");
        var appliedBefore = await cloud.MetricAsync("parkinglot_ingest_events_applied_total");

        await edge.PublishAsync(ledger.All());

        // The cloud answers a duplicate with the same ack, so a second ack marks that it was processed.
        await edge.WaitForAckAsync(new CloudAck(1, 3), minCount: 2);
        Assert.Equal("car=2 ev=2", availabilityAfterFirst);
        Assert.Equal(availabilityAfterFirst, await cloud.FreeAsync(lot.LotId));
        Assert.Equal(3, await cloud.StoredEventsAsync(lot.LotId));
        Assert.Equal(duplicatesBefore + 3, await cloud.MetricAsync("parkinglot_ingest_events_duplicate_total"));
        Assert.Equal(appliedBefore, await cloud.MetricAsync("parkinglot_ingest_events_applied_total"));
    }

    [Fact]
    public async Task Publish_BatchAfterGap_NotAppliedAckStaysUntilGapFilled()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Occupancy("C1", VehicleType.Car, true)
            .Occupancy("C2", VehicleType.Car, true)
            .Occupancy("C3", VehicleType.Car, true)
            .Occupancy("E1", VehicleType.Ev, true);
        await using var edge = await TestEdgeClient.ConnectAsync(cloud.MqttPort);
        await edge.SubscribeAcksAsync(lot.LotId);
        await edge.PublishAsync(ledger.Batch(1, 1));
        await edge.WaitForAckAsync(new CloudAck(1, 1));
        var gapsBefore = await cloud.MetricAsync("parkinglot_ingest_batches_gap_total");

        await edge.PublishAsync(ledger.Batch(3, 4));

        // The cloud re-acknowledges its high-water (1), which tells the edge to resend from 2.
        await edge.WaitForAckAsync(new CloudAck(1, 1), minCount: 2);
        Assert.Equal("car=2 ev=2", await cloud.FreeAsync(lot.LotId));
        Assert.Equal(1, await cloud.StoredEventsAsync(lot.LotId));
        Assert.Equal(gapsBefore + 1, await cloud.MetricAsync("parkinglot_ingest_batches_gap_total"));

        await edge.PublishAsync(ledger.Batch(2, 2));
        await edge.PublishAsync(ledger.Batch(3, 4));

        await edge.WaitForAckAsync(new CloudAck(1, 4));
        Assert.Equal("car=0 ev=1", await cloud.FreeAsync(lot.LotId));
        Assert.Equal(4, await cloud.StoredEventsAsync(lot.LotId));
    }

    [Fact]
    public async Task Publish_EdgeState_RecordsEdgeHealth()
    {
        var lot = await cloud.CreateLotAsync();
        var state = new EdgeState(lot.LotId, true, "0.1.0-test", Guid.NewGuid(), 1, 42, 7, TimeQuality.Synced, new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        await using var edge = await TestEdgeClient.ConnectAsync(cloud.MqttPort);

        await edge.PublishAsync(
            Topics.EdgeState(lot.LotId),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state, ParkingLotJsonContext.Default.EdgeState),
            retain: true);

        await TestContext.WaitUntilAsync(async () => (await cloud.StatusAsync(lot.LotId)).Health is not null, Timeout, "edge health");
        var health = (await cloud.StatusAsync(lot.LotId)).Health!;
        Assert.Equal((true, "0.1.0-test", state.BootId, 42L, 7L), (health.Online, health.AgentVersion, health.BootId, health.LastSeq, health.Backlog));
    }

    [Fact]
    public async Task Connect_CloudRunning_CloudStateIsRetainedOnline()
    {
        await using var observer = await TestEdgeClient.ConnectAsync(cloud.MqttPort);

        var (payload, retained) = await observer.ReceiveOnceAsync(Topics.CloudState);

        Assert.True(retained);
        Assert.Contains("\"online\":true", payload, StringComparison.Ordinal);
    }
}
