using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Sync;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Sync;

public sealed class OutboxPublisherTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();
    private MqttTestBroker _broker = null!;
    private LedgerStore _ledger = null!;

    public async Task InitializeAsync()
    {
        _broker = await MqttTestBroker.StartAsync();
        _ledger = await LedgerBuilder.OpenAsync(_directory);
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        await _broker.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Run_BacklogAndLiveEvents_ArriveInOrderInBoundedBatchesAndAckIsPersisted()
    {
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 1000);
        await using var cloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId);
        using var publisher = CreatePublisher();

        await publisher.StartAsync(TestContext.Token);
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 200);
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 1200, Patience, "the cloud to acknowledge all 1,200 events");
        await publisher.StopAsync(TestContext.Token);

        var ledgerEvents = await _ledger.ReadAfterAsync(0, 5000, TestContext.Token);
        lock (cloud.State.Lock)
        {
            Assert.Equal(Enumerable.Range(1, 1200).Select(i => (long)i), cloud.State.Applied.Select(e => e.Seq));
            Assert.Equal(ledgerEvents.Select(e => e.Hash), cloud.State.Applied.Select(e => e.Hash));
        }

        Assert.All(cloud.State.Batches, b =>
        {
            Assert.InRange(b.Batch.Events.Count, 1, 100);
            Assert.Equal(_ledger.LotId, b.Batch.LotId);
            Assert.Equal(b.Batch.SeqTo - b.Batch.SeqFrom + 1, b.Batch.Events.Count);
            Assert.Equal(_ledger.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), b.UserProperties["epoch"]);
            Assert.Equal(b.Batch.SeqFrom.ToString(System.Globalization.CultureInfo.InvariantCulture), b.UserProperties["seqFrom"]);
            Assert.Equal(b.Batch.SeqTo.ToString(System.Globalization.CultureInfo.InvariantCulture), b.UserProperties["seqTo"]);
        });

        // Read back from the file, not the in-memory cursor.
        Assert.Equal(1200, await _ledger.GetAckedSeqAsync(TestContext.Token));
    }

    [Fact]
    public async Task Run_ConnectionDroppedWithEventsInFlight_ResendsFromAckedSeq()
    {
        await using var cloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId);
        using var publisher = CreatePublisher(o => o.AckTimeout = TimeSpan.FromMinutes(5));
        await publisher.StartAsync(TestContext.Token);
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 50);
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 50, Patience, "the first 50 events to be acknowledged");

        cloud.Acking = false;
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 50);
        await TestContext.WaitUntilAsync(() => cloud.State.Batches.Any(b => b.Batch.SeqTo == 100), Patience, "events 51-100 to be sent");
        await _broker.DropClientAsync($"edge-{_ledger.LotId}");
        cloud.Acking = true;
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 100, Patience, "events 51-100 to be resent and acknowledged");
        await publisher.StopAsync(TestContext.Token);

        Assert.True(cloud.State.Batches.Count(b => b.Batch.SeqFrom == 51) >= 2, "seq 51 was not sent again after the reconnect");
        AssertAppliedExactlyOnce(cloud, 100);
    }

    [Fact]
    public async Task Run_BrokerRestarted_ReconnectsAndResendsFromAckedSeq()
    {
        var state = new FakeCloudState();
        var cloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId, state);
        using var publisher = CreatePublisher(o => o.AckTimeout = TimeSpan.FromMinutes(5));
        await publisher.StartAsync(TestContext.Token);
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 30);
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 30, Patience, "the first 30 events to be acknowledged");

        cloud.Acking = false;
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 30);
        await TestContext.WaitUntilAsync(() => state.Batches.Any(b => b.Batch.SeqTo == 60), Patience, "events 31-60 to be sent");
        await _broker.RestartAsync();
        await cloud.DisposeAsync();
        var sentBeforeRestart = state.Batches.Count;
        await using var restartedCloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId, state);
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 10);
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 70, Patience, "all 70 events to be acknowledged after the restart");
        await publisher.StopAsync(TestContext.Token);

        Assert.Equal(31, state.Batches.Skip(sentBeforeRestart).First().Batch.SeqFrom);
        AssertAppliedExactlyOnce(restartedCloud, 70);
    }

    [Fact]
    public async Task Run_NoAckWithinTimeout_ResendsFromAckedSeq()
    {
        await using var cloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId);
        cloud.Acking = false;
        using var publisher = CreatePublisher(o => o.AckTimeout = TimeSpan.FromMilliseconds(300));
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 10);

        await publisher.StartAsync(TestContext.Token);
        await TestContext.WaitUntilAsync(() => cloud.State.Batches.Count(b => b.Batch.SeqFrom == 1) >= 2, Patience, "seq 1 to be resent after the ack timeout");
        cloud.Acking = true;
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 10, Patience, "the events to be acknowledged");
        await publisher.StopAsync(TestContext.Token);

        AssertAppliedExactlyOnce(cloud, 10);
    }

    [Fact]
    public async Task Run_AckForAnotherEpoch_IsIgnored()
    {
        await using var cloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId);
        cloud.Acking = false;
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 10);
        using var publisher = CreatePublisher();
        await publisher.StartAsync(TestContext.Token);
        await TestContext.WaitUntilAsync(() => publisher.IsConnected, Patience, "the publisher to connect");

        await cloud.AckAsync(_ledger.Epoch + 1, 10);
        await cloud.AckAsync(_ledger.Epoch, 3);
        await TestContext.WaitUntilAsync(() => _ledger.AckedSeq == 3, Patience, "the ack of our own epoch");
        await publisher.StopAsync(TestContext.Token);

        Assert.Equal(3, await _ledger.GetAckedSeqAsync(TestContext.Token));
    }

    [Fact]
    public async Task StartAndStop_PublishRetainedOnlineThenOfflineState()
    {
        await LedgerBuilder.AppendBarrierMovesAsync(_ledger, 3);
        using var publisher = CreatePublisher();

        await publisher.StartAsync(TestContext.Token);
        await TestContext.WaitUntilAsync(() => publisher.IsConnected, Patience, "the publisher to connect");
        var birth = await RetainedStateAsync();
        await publisher.StopAsync(TestContext.Token);
        var last = await RetainedStateAsync();

        Assert.True(birth.Online);
        Assert.Equal(_ledger.Epoch, birth.Epoch);
        Assert.Equal(3, birth.LastSeq);
        Assert.Equal(3, birth.Backlog);
        Assert.Equal(_ledger.LotId, birth.LotId);
        Assert.False(last.Online);
        Assert.Equal(birth.BootId, last.BootId);
    }

    [Fact]
    public async Task Run_ConnectionLost_BrokerPublishesTheOfflineWillThenTheAgentIsBackOnline()
    {
        await using var cloud = await FakeCloud.ConnectAsync(_broker.Port, _ledger.LotId);
        using var publisher = CreatePublisher();
        await publisher.StartAsync(TestContext.Token);
        await TestContext.WaitUntilAsync(() => cloud.State.States.Any(s => s.State.Online), Patience, "the birth state");

        await _broker.DropClientAsync($"edge-{_ledger.LotId}");
        await TestContext.WaitUntilAsync(
            () => cloud.State.States.SkipWhile(s => s.State.Online).Skip(1).Any(s => s.State.Online),
            Patience,
            "the will (online=false) followed by a new birth");
        await publisher.StopAsync(TestContext.Token);

        var will = cloud.State.States.First(s => !s.State.Online).State;
        Assert.Equal(_ledger.Epoch, will.Epoch);
    }

    private async Task<EdgeState> RetainedStateAsync()
    {
        var message = await _broker.Server.GetRetainedMessageAsync(Topics.EdgeState(_ledger.LotId));
        Assert.NotNull(message);
        var reader = new Utf8JsonReader(message.Payload);
        return JsonSerializer.Deserialize(ref reader, ParkingLotJsonContext.Default.EdgeState)!;
    }

    private static void AssertAppliedExactlyOnce(FakeCloud cloud, int count)
    {
        lock (cloud.State.Lock)
        {
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), cloud.State.Applied.Select(e => e.Seq));
        }
    }

    private OutboxPublisher CreatePublisher(Action<SyncOptions>? configure = null)
    {
        var options = new SyncOptions
        {
            BatchSize = 100,
            MaxInFlightEvents = 300,
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(300),
            AckTimeout = TimeSpan.FromSeconds(5),
            HeartbeatInterval = TimeSpan.FromSeconds(30),
            ShutdownFlushTimeout = TimeSpan.FromSeconds(1),
            WillDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return new OutboxPublisher(
            _ledger,
            new AgentIdentity(),
            new SyncTarget(new BrokerAddress("127.0.0.1", _broker.Port), null, null),
            Options.Create(options),
            TimeProvider.System,
            NullLogger<OutboxPublisher>.Instance);
    }
}
