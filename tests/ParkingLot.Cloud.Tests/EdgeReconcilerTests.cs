using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>The reconciler core called directly, without MQTT, as the benchmarks do.</summary>
[Collection(CloudCollection.Name)]
public sealed class EdgeReconcilerTests(CloudApplication cloud)
{
    [Fact]
    public async Task IngestAsync_OverlappingBatch_AppliesOnlyTheNewEvents()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Occupancy("C1", VehicleType.Car, true)
            .Occupancy("C2", VehicleType.Car, true)
            .Occupancy("C3", VehicleType.Car, true)
            .Occupancy("E1", VehicleType.Ev, true);
        await IngestAsync(ledger.Batch(1, 2));

        var result = await IngestAsync(ledger.Batch(1, 4));

        Assert.Equal((IngestOutcome.Applied, 2, 2, new CloudAck(1, 4)), (result.Outcome, result.AppliedEvents, result.DuplicateEvents, result.Ack));
        Assert.Equal(4, await cloud.StoredEventsAsync(lot.LotId));
        Assert.Equal("car=0 ev=1", await cloud.FreeAsync(lot.LotId));
    }

    [Fact]
    public async Task IngestAsync_GapThenDuplicate_ReportOutcomeAndAckOfHighWater()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Occupancy("C1", VehicleType.Car, true)
            .Occupancy("C2", VehicleType.Car, true)
            .Occupancy("C3", VehicleType.Car, true);
        await IngestAsync(ledger.Batch(1, 1));

        var gap = await IngestAsync(ledger.Batch(3, 3));
        var duplicate = await IngestAsync(ledger.Batch(1, 1));

        Assert.Equal((IngestOutcome.Gap, new CloudAck(1, 1), 0), (gap.Outcome, gap.Ack, gap.AppliedEvents));
        Assert.Equal((IngestOutcome.Duplicate, new CloudAck(1, 1), 1), (duplicate.Outcome, duplicate.Ack, duplicate.DuplicateEvents));
        Assert.Equal(1, await cloud.StoredEventsAsync(lot.LotId));
    }

    [Fact]
    public async Task IngestAsync_GateEventsAndPayments_UpdateOccupancyAndRevenue()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Ticket("T1")
            .Entered(VehicleType.Car, "T1")
            .Entered(VehicleType.Car, "T2")
            .Entered(VehicleType.Ev, "T3");
        await IngestAsync(ledger.All());
        Assert.Equal("car=1 ev=1", await cloud.FreeAsync(lot.LotId));

        ledger.Payment("P1", 350).Exited(VehicleType.Car, "T1").Payment("P2", 1200);
        var result = await IngestAsync(ledger.Batch(5, 7));

        Assert.Equal(3, result.AppliedEvents);
        Assert.Equal("car=2 ev=1", await cloud.FreeAsync(lot.LotId));
        Assert.Equal([new Money(1550, "EUR")], (await cloud.StatusAsync(lot.LotId)).PaymentTotals);
    }

    [Fact]
    public async Task IngestAsync_SensorsAndGatesDisagree_ShowsTheHigherOccupancy()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Entered(VehicleType.Car, "T1")
            .Occupancy("C1", VehicleType.Car, true)
            .Occupancy("C2", VehicleType.Car, true);

        await IngestAsync(ledger.All());

        // Two sensors see cars, the gate counted one: the cloud sells against the higher figure.
        Assert.Equal("car=1 ev=2", await cloud.FreeAsync(lot.LotId));
    }

    [Fact]
    public async Task IngestAsync_OccupancyOfUnknownSpotAndUnknownEventType_StoredAndAcknowledged()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId)
            .Occupancy("Z99", VehicleType.Car, true)
            .Raw("future.thing", """{"anything":[1,2,3]}""");

        var result = await IngestAsync(ledger.All());

        Assert.Equal((IngestOutcome.Applied, new CloudAck(1, 2)), (result.Outcome, result.Ack));
        Assert.Equal("car=3 ev=2", await cloud.FreeAsync(lot.LotId));
        Assert.Equal(2, await cloud.StoredEventsAsync(lot.LotId));
    }

    [Fact]
    public async Task IngestAsync_NewEpoch_StartsFromGenesisAndKeepsTheOldEpoch()
    {
        var lot = await cloud.CreateLotAsync();
        await IngestAsync(new EdgeBatchBuilder(lot.LotId, epoch: 1).Occupancy("C1", VehicleType.Car, true).Occupancy("C2", VehicleType.Car, true).All());

        var result = await IngestAsync(new EdgeBatchBuilder(lot.LotId, epoch: 2).Occupancy("C2", VehicleType.Car, false).All());

        Assert.Equal((IngestOutcome.Applied, new CloudAck(2, 1)), (result.Outcome, result.Ack));
        Assert.Equal([new EpochStatus(1, 2, 2), new EpochStatus(2, 1, 1)], (await cloud.StatusAsync(lot.LotId)).Epochs);
        Assert.Equal("car=2 ev=2", await cloud.FreeAsync(lot.LotId));
    }

    [Fact]
    public async Task IngestAsync_ConcurrentBatchesOfOneLot_EachEventAppliedOnce()
    {
        var lot = await cloud.CreateLotAsync(b => b.WithSpots(VehicleType.Car, 40));
        var ledger = new EdgeBatchBuilder(lot.LotId);
        for (var i = 1; i <= 40; i++)
        {
            ledger.Occupancy($"C{i}", VehicleType.Car, true);
        }

        // The same 4 batches delivered by 3 racing consumers (redelivery after a reconnect, say).
        var deliveries = Enumerable.Range(0, 3).SelectMany(_ => Enumerable.Range(0, 4).Select(b => ledger.Batch((b * 10) + 1, (b + 1) * 10)));
        var results = await Task.WhenAll(deliveries.Select(IngestAsync));

        Assert.Equal(40, results.Sum(r => r.AppliedEvents));
        Assert.Equal(40, await cloud.StoredEventsAsync(lot.LotId));
        Assert.Equal("car=0", await cloud.FreeAsync(lot.LotId));
        Assert.Equal(40, (await cloud.StatusAsync(lot.LotId)).Epochs.Single().HighWater);
    }

    private Task<IngestResult> IngestAsync(EdgeEventBatch batch) =>
        cloud.Reconciler.IngestAsync(Topics.EdgeEvents(batch.LotId), EdgeBatchBuilder.Bytes(batch), TestContext.Token);
}
