using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Shared.Contracts;
using Polly;
using Polly.Retry;

namespace ParkingLot.Cloud.Mqtt;

/// <summary>
/// The cloud's MQTT client, on the external broker or the in-process one alike: consumes every
/// lot's <c>edge/events</c> and <c>edge/state</c>, hands them to the <see cref="EdgeReconciler"/>,
/// publishes the retained acks, and keeps <c>parking/v1/cloud/state</c> current. Reconnects forever
/// with jittered backoff.
/// </summary>
internal sealed class CloudMqttConnection : BackgroundService
{
    private static readonly string Version = typeof(CloudMqttConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly MqttOptions _options;
    private readonly EdgeReconciler _reconciler;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CloudMqttConnection> _logger;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _stopped;
    private bool _disposed;
    private TaskCompletionSource _disconnected = NewSignal();
    private volatile bool _subscribed;

    public CloudMqttConnection(IOptions<MqttOptions> options, EdgeReconciler reconciler, TimeProvider timeProvider, ILogger<CloudMqttConnection> logger)
    {
        _options = options.Value;
        _reconciler = reconciler;
        _timeProvider = timeProvider;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += e =>
        {
            _subscribed = false;
            if (e.ClientWasConnected && !_stopping.IsCancellationRequested)
            {
                Log.BrokerDisconnected(_logger, e.Reason.ToString(), e.Exception);
                _disconnected.TrySetResult();
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Connected and subscribed: edge messages are being consumed (readiness).</summary>
    public bool IsReady => _subscribed && _client.IsConnected;

    /// <summary>
    /// Stops once, whoever asks: a host's StopAsync can run twice at the same time (WebApplicationFactory
    /// stopping while the entry point's RunAsync stops too), and two concurrent publish-then-disconnect
    /// sequences make MQTTnet's client fail inside.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host torn down after a failed start (or a test factory disposing early) can dispose this
        // service before stopping it; the client is gone then and there is nothing left to stop.
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _stopped, mine.Task, null) is { } first)
        {
            await first;
            return;
        }

        try
        {
            await StopOnceAsync(cancellationToken);
            mine.SetResult();
        }
        catch (Exception ex)
        {
            mine.SetException(ex);
            throw;
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _subscribed = false;
        if (_client.IsConnected)
        {
            try
            {
                // A clean disconnect suppresses the last will, so say "offline" ourselves first.
                await PublishCloudStatusAsync(online: false, cancellationToken);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
            {
                Log.BrokerStopFailed(_logger, ex);
            }
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _client.Dispose();
        _stopping.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnect = new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(15),
                OnRetry = args =>
                {
                    Log.BrokerConnectFailed(_logger, _options.Endpoint.Host, _options.Endpoint.Port, args.RetryDelay, args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        while (!stoppingToken.IsCancellationRequested)
        {
            _disconnected = NewSignal();
            try
            {
                await reconnect.ExecuteAsync(ConnectAsync, stoppingToken);
                await _disconnected.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        var (host, port) = _options.Endpoint;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            // A kept session makes the broker queue edge batches while the cloud restarts.
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithWillTopic(Topics.CloudState)
            .WithWillPayload(JsonSerializer.SerializeToUtf8Bytes(new CloudStatus(false, Version), CloudMqttJsonContext.Default.CloudStatus))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_options.Username))
        {
            builder = builder.WithCredentials(_options.Username, _options.Password);
        }

        await _client.ConnectAsync(builder.Build(), cancellationToken);

        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Filter(Topics.AllEdgeEvents), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Filter(Topics.AllEdgeStates), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var subscribed = await _client.SubscribeAsync(subscribe, cancellationToken);
        foreach (var item in subscribed.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw new InvalidOperationException($"The broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}.");
            }
        }

        await PublishCloudStatusAsync(online: true, cancellationToken);

        // Retained acks vanish with an in-process broker's restart; re-publishing them lets edges
        // resume without resending everything they already delivered.
        foreach (var lotAck in await _reconciler.ListLatestAcksAsync(cancellationToken))
        {
            await PublishAckAsync(lotAck.LotId, lotAck.Ack, cancellationToken);
        }

        _subscribed = true;
        Log.BrokerConnected(_logger, host, port, _options.IsEmbedded);
    }

    private string Filter(string topic) =>
        string.IsNullOrWhiteSpace(_options.SharedSubscriptionGroup) ? topic : $"$share/{_options.SharedSubscriptionGroup}/{topic}";

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Acknowledge only after the transaction committed (I4): an unacknowledged message comes back.
        e.AutoAcknowledge = false;
        var cancellationToken = _stopping.Token;
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray();
        try
        {
            if (topic.EndsWith("/edge/state", StringComparison.Ordinal))
            {
                await _reconciler.RecordStateAsync(topic, payload, cancellationToken);
            }
            else
            {
                var result = await _reconciler.IngestAsync(topic, payload, cancellationToken);
                if (result is { Ack: { } ack, LotId: { } lotId })
                {
                    await PublishAckAsync(lotId, ack, cancellationToken);
                }
            }

            await e.AcknowledgeAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Store or broker trouble: nothing was acknowledged, so the broker redelivers after a
            // reconnect and the edge resends from its last ack; either way nothing is lost.
            Log.MessageFailed(_logger, topic, ex);
        }
    }

    private Task PublishAckAsync(string lotId, CloudAck ack, CancellationToken cancellationToken) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.CloudAcks(lotId))
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(ack, ParkingLotJsonContext.Default.CloudAck))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag()
                .Build(),
            cancellationToken);

    private Task PublishCloudStatusAsync(bool online, CancellationToken cancellationToken) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.CloudState)
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(new CloudStatus(online, Version), CloudMqttJsonContext.Default.CloudStatus))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag()
                .Build(),
            cancellationToken);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
