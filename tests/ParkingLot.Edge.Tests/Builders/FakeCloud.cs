using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>
/// The cloud's side of the sync protocol, reduced to what the edge relies on: apply each (epoch, seq)
/// once and in order, refuse a batch that starts after a gap, and answer every batch with a retained
/// ack of the high-water mark. Its applied log outlives its MQTT connections, like a database.
/// </summary>
internal sealed class FakeCloud : IAsyncDisposable
{
    private readonly string _lotId;
    private readonly IMqttClient _client;

    private FakeCloud(string lotId, IMqttClient client, FakeCloudState state)
    {
        _lotId = lotId;
        _client = client;
        State = state;
    }

    public FakeCloudState State { get; }

    /// <summary>When false the cloud applies nothing and sends no acks (it is "busy"), so events pile up in flight.</summary>
    public bool Acking { get; set; } = true;

    public static async Task<FakeCloud> ConnectAsync(int port, string lotId, FakeCloudState? state = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var cloud = new FakeCloud(lotId, client, state ?? new FakeCloudState());
        client.ApplicationMessageReceivedAsync += cloud.OnMessageAsync;
        await client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId($"cloud-{Guid.NewGuid():N}").Build(),
            TestContext.Token);
        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(Topics.EdgeEvents(lotId), MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(Topics.EdgeState(lotId), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            TestContext.Token);
        return cloud;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The broker went away between IsConnected and the DISCONNECT (a test that stops or
                // restarts it): there is no connection left to close.
            }
        }

        _client.Dispose();
    }

    /// <summary>Publishes an ack as the cloud would (retained), e.g. for a foreign epoch.</summary>
    public Task AckAsync(long epoch, long seq) => _client.PublishAsync(
        new MqttApplicationMessageBuilder()
            .WithTopic(Topics.CloudAcks(_lotId))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(new CloudAck(epoch, seq), ParkingLotJsonContext.Default.CloudAck))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build());

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        var reader = new Utf8JsonReader(message.Payload);
        if (message.Topic == Topics.EdgeState(_lotId))
        {
            State.States.Enqueue((JsonSerializer.Deserialize(ref reader, ParkingLotJsonContext.Default.EdgeState)!, message.Retain));
            return;
        }

        var batch = JsonSerializer.Deserialize(ref reader, ParkingLotJsonContext.Default.EdgeEventBatch)!;
        State.Batches.Enqueue(new ReceivedBatch(batch, message.UserProperties?.ToDictionary(p => p.Name, p => System.Text.Encoding.UTF8.GetString(p.ValueBuffer.Span)) ?? []));
        if (!Acking)
        {
            return;
        }

        long highWater;
        lock (State.Lock)
        {
            if (batch.SeqFrom <= State.HighWater + 1)
            {
                foreach (var e in batch.Events.Where(e => e.Seq > State.HighWater))
                {
                    State.Applied.Add(e);
                    State.HighWater = e.Seq;
                }
            }

            highWater = State.HighWater;
        }

        await AckAsync(batch.Epoch, highWater);
    }
}

/// <summary>What the fake cloud has received and applied; survives its reconnects.</summary>
internal sealed class FakeCloudState
{
    public object Lock { get; } = new();

    public List<LedgerEvent> Applied { get; } = [];

    public long HighWater { get; set; }

    public ConcurrentQueue<ReceivedBatch> Batches { get; } = new();

    public ConcurrentQueue<(EdgeState State, bool Retained)> States { get; } = new();

    public long HighWaterNow
    {
        get
        {
            lock (Lock)
            {
                return HighWater;
            }
        }
    }
}

internal sealed record ReceivedBatch(EdgeEventBatch Batch, IReadOnlyDictionary<string, string> UserProperties);
