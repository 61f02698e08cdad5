using System.Buffers;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Sync;
using ParkingLot.Shared.Contracts;
using Polly;
using Polly.Retry;

namespace ParkingLot.Edge.Occupancy;

/// <summary>
/// Subscribes to <c>parking/v1/lots/{lotId}/sensors/+</c> on the local broker (DESIGN §5: LoRaWAN and
/// Zigbee bridges publish there) and hands each reading to its <see cref="MqttSpaceSensor"/>. A
/// malformed, foreign-lot or unknown-sensor message is refused with a log line and changes nothing
/// (I9). Its own clean session: readings are state, the next one replaces a lost one, and the
/// sensors' age check marks a bridge that went silent. Reconnects with jittered back-off.
/// </summary>
internal sealed class MqttSensorSubscriber(
    LotFile lot,
    BrokerAddress broker,
    HardwareSpaceSensors sensors,
    TimeProvider time,
    ILogger<MqttSensorSubscriber> logger) : BackgroundService
{
    private readonly string _filter = Topics.Sensor(lot.LotId, "+");

    /// <summary>Connected and subscribed (tests wait on it before publishing).</summary>
    public bool IsSubscribed { get; private set; }

    /// <summary>Messages refused so far (malformed, foreign lot, unknown sensor).</summary>
    public int Refused => Volatile.Read(ref _refused);

    private int _refused;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += args =>
        {
            OnMessage(args.ApplicationMessage.Topic, args.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        var lost = new SemaphoreSlim(0);
        client.DisconnectedAsync += _ =>
        {
            IsSubscribed = false;
            lost.Release();
            return Task.CompletedTask;
        };

        var reconnect = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    Log.SensorBrokerUnreachable(logger, broker.ToString(), args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await reconnect.ExecuteAsync(async ct => await ConnectAsync(client, ct), stoppingToken);
                IsSubscribed = true;
                Log.SensorBrokerSubscribed(logger, broker.ToString(), _filter);
                await lost.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            lost.Dispose();
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
            }
        }
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        if (client.IsConnected)
        {
            return;
        }

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"edge-{lot.LotId}-sensors")
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (lot.Cloud?.Username is { } username)
        {
            options.WithCredentials(username, lot.Cloud.Password ?? string.Empty);
        }

        await client.ConnectAsync(options.Build(), cancellationToken);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
    }

    private void OnMessage(string topic, ReadOnlySpan<byte> payload)
    {
        var parsed = MqttSensorPayload.Parse(lot.LotId, topic, payload);
        if (parsed.Reading is not { } reading)
        {
            Interlocked.Increment(ref _refused);
            Log.SensorMessageRefused(logger, topic, parsed.Rejection ?? "unreadable");
            return;
        }

        if (!sensors.Accept(reading))
        {
            Interlocked.Increment(ref _refused);
            Log.SensorMessageRefused(logger, topic, $"no spot of this lot has sensor '{reading.SensorId}'");
        }
    }
}
