using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>A real MQTTnet client on the cloud's in-process broker, playing an edge agent.</summary>
internal sealed class TestEdgeClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<(CloudAck Ack, bool Retained)> _acks = new();

    private TestEdgeClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/cloud/acks", StringComparison.Ordinal))
            {
                var ack = JsonSerializer.Deserialize(Encoding.UTF8.GetString(e.ApplicationMessage.Payload), ParkingLotJsonContext.Default.CloudAck)!;
                _acks.Enqueue((ack, e.ApplicationMessage.Retain));
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Acks received so far, oldest first, with the retain flag the broker delivered.</summary>
    public IReadOnlyList<(CloudAck Ack, bool Retained)> Acks => [.. _acks];

    public static async Task<TestEdgeClient> ConnectAsync(int port)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(
            new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithClientId($"edge-test-{Guid.NewGuid():N}")
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .Build(),
            TestContext.Token);
        return new TestEdgeClient(client);
    }

    /// <summary>Subscribes to the lot's acks; a retained ack arrives at once.</summary>
    public async Task SubscribeAcksAsync(string lotId) =>
        await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.CloudAcks(lotId), MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Token);

    /// <summary>Subscribes to <paramref name="topic"/> and returns the first message (a retained one arrives at once).</summary>
    public async Task<(string Payload, bool Retained)> ReceiveOnceAsync(string topic)
    {
        var received = new TaskCompletionSource<(string, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == topic)
            {
                received.TrySetResult((Encoding.UTF8.GetString(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
            }

            return Task.CompletedTask;
        };
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Token);
        return await received.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Token);
    }

    public Task PublishAsync(EdgeEventBatch batch) =>
        PublishAsync(Topics.EdgeEvents(batch.LotId), Builders.EdgeBatchBuilder.Bytes(batch));

    public async Task PublishAsync(string topic, byte[] payload, bool retain = false)
    {
        var result = await _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(retain)
                .Build(),
            TestContext.Token);
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    /// <summary>Waits until the newest ack received is <paramref name="expected"/> and at least <paramref name="minCount"/> arrived.</summary>
    public Task WaitForAckAsync(CloudAck expected, int minCount = 1) =>
        TestContext.WaitUntilAsync(
            () => _acks.Count >= minCount && _acks.Last().Ack == expected,
            TimeSpan.FromSeconds(10),
            $"ack {expected} (#{minCount}); got [{string.Join(", ", _acks.Select(a => a.Ack))}]");

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
        }

        _client.Dispose();
    }
}
