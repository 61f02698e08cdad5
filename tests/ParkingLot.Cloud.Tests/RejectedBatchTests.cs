using System.Text;
using System.Text.Json.Nodes;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>
/// Bad edge messages are rejected, counted by reason on /metrics, and change nothing (I9). Each
/// case starts from a lot with seq 1 applied, and the bad message would otherwise continue it.
/// </summary>
[Collection(CloudCollection.Name)]
public sealed class RejectedBatchTests(CloudApplication cloud)
{
    public static TheoryData<string, string> Cases => new()
    {
        { "not JSON", "malformed" },
        { "truncated JSON", "malformed" },
        { "missing field", "malformed" },
        { "JSON null", "malformed" },
        { "wrong lot in body", "lot_mismatch" },
        { "unknown lot", "unknown_lot" },
        { "tampered payload", "hash" },
        { "broken chain inside the batch", "chain" },
        { "not linked to the applied event", "chain" },
        { "non-consecutive seqs", "sequence" },
        { "seqTo disagrees with the events", "sequence" },
        { "known type with invalid payload", "payload" },
        { "re-sent seq with other content", "conflict" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Publish_BadBatch_RejectedCountedAndChangesNothing(string name, string reason)
    {
        var lot = await cloud.CreateLotAsync();
        var other = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId).Occupancy("C1", VehicleType.Car, true);
        await using var edge = await TestEdgeClient.ConnectAsync(cloud.MqttPort);
        await edge.SubscribeAcksAsync(lot.LotId);
        await edge.PublishAsync(ledger.All());
        await edge.WaitForAckAsync(new CloudAck(1, 1));
        ledger.Occupancy("C2", VehicleType.Car, true).Occupancy("E1", VehicleType.Ev, true);
        var before = (Free: await cloud.FreeAsync(lot.LotId), OtherFree: await cloud.FreeAsync(other.LotId), Events: await cloud.StoredEventsAsync(lot.LotId));
        var rejectedBefore = await cloud.MetricAsync("parkinglot_ingest_batches_rejected_total", reason);
        var (topic, payload) = BadMessage(name, ledger, other.LotId);

        await edge.PublishAsync(topic, payload);

        await TestContext.WaitUntilAsync(
            async () => await cloud.MetricAsync("parkinglot_ingest_batches_rejected_total", reason) == rejectedBefore + 1,
            TimeSpan.FromSeconds(10),
            $"the rejection of '{name}' counted as {reason}");
        Assert.Equal(before, (await cloud.FreeAsync(lot.LotId), await cloud.FreeAsync(other.LotId), await cloud.StoredEventsAsync(lot.LotId)));
        Assert.Equal(1, (await cloud.StatusAsync(lot.LotId)).Epochs.Single().HighWater);

        // A rejection publishes no ack: the edge has only the ack of seq 1 it got before.
        Assert.Equal([new CloudAck(1, 1)], edge.Acks.Select(a => a.Ack));
    }

    [Fact]
    public async Task IngestAsync_BadBatchDirectly_ReturnsRejectedWithReason()
    {
        var lot = await cloud.CreateLotAsync();
        var ledger = new EdgeBatchBuilder(lot.LotId).Occupancy("C1", VehicleType.Car, true);

        var result = await cloud.Reconciler.IngestAsync(Topics.EdgeEvents(lot.LotId), Encoding.UTF8.GetBytes("{\"lotId\":"), TestContext.Token);
        var wrongTopic = await cloud.Reconciler.IngestAsync($"parking/v1/lots/{lot.LotId}/edge/other", EdgeBatchBuilder.Bytes(ledger.All()), TestContext.Token);

        Assert.Equal((IngestOutcome.Rejected, RejectReason.Malformed, (CloudAck?)null), (result.Outcome, result.Reason, result.Ack));
        Assert.Equal((IngestOutcome.Rejected, RejectReason.Topic), (wrongTopic.Outcome, wrongTopic.Reason));
        Assert.Empty((await cloud.StatusAsync(lot.LotId)).Epochs);
    }

    /// <summary>The message of one case; <paramref name="ledger"/> holds seq 1 (applied) to 3.</summary>
    private static (string Topic, byte[] Payload) BadMessage(string name, EdgeBatchBuilder ledger, string otherLotId)
    {
        var topic = Topics.EdgeEvents(ledger.LotId);
        var next = ledger.Batch(2, 3);
        var json = EdgeBatchBuilder.Json(next);
        return name switch
        {
            "not JSON" => (topic, Encoding.UTF8.GetBytes("occupied C2, occupied E1")),
            "truncated JSON" => (topic, Encoding.UTF8.GetBytes(json[..(json.Length / 2)])),
            "missing field" => (topic, Edit(json, batch => batch.AsObject().Remove("seqTo"))),
            "JSON null" => (topic, Encoding.UTF8.GetBytes("null")),
            "wrong lot in body" => (Topics.EdgeEvents(otherLotId), Encoding.UTF8.GetBytes(json)),
            "unknown lot" => UnknownLot(),
            "tampered payload" => (topic, Edit(json, batch => batch["events"]![0]!["payload"]!["occupied"] = false)),
            "broken chain inside the batch" => (topic, EdgeBatchBuilder.Bytes(next with { Events = [next.Events[0], Foreign(ledger.LotId, 3)] })),
            "not linked to the applied event" => (topic, EdgeBatchBuilder.Bytes(new EdgeEventBatch(ledger.LotId, 1, 2, 2, [Foreign(ledger.LotId, 2)]))),
            "non-consecutive seqs" => (topic, EdgeBatchBuilder.Bytes(next with { Events = [next.Events[1]], SeqFrom = 2, SeqTo = 2 })),
            "seqTo disagrees with the events" => (topic, EdgeBatchBuilder.Bytes(next with { SeqTo = 4 })),
            "known type with invalid payload" => (topic, EdgeBatchBuilder.Bytes(ledger.Fork(1).Raw(EventTypes.OccupancyChanged, """{"spotId":"C2"}""").Batch(2, 2))),
            "re-sent seq with other content" => (topic, EdgeBatchBuilder.Bytes(new EdgeBatchBuilder(ledger.LotId).Occupancy("C3", VehicleType.Car, true).Batch(1, 1))),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };

        (string, byte[]) UnknownLot()
        {
            var ghost = new EdgeBatchBuilder($"ghost-{Guid.NewGuid():N}"[..16]).Occupancy("C1", VehicleType.Car, true);
            return (Topics.EdgeEvents(ghost.LotId), EdgeBatchBuilder.Bytes(ghost.All()));
        }
    }

    /// <summary>Event <paramref name="seq"/> of a different ledger: self-consistent, but chained to other predecessors.</summary>
    private static LedgerEvent Foreign(string lotId, long seq)
    {
        var foreign = new EdgeBatchBuilder(lotId);
        for (var i = 0; i < seq; i++)
        {
            foreign.Occupancy("C3", VehicleType.Car, i % 2 == 0);
        }

        return foreign.Batch(seq, seq).Events[0];
    }

    private static byte[] Edit(string json, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(json)!;
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
