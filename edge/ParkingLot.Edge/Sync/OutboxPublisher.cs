using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared.Contracts;
using Polly;
using Polly.Retry;

namespace ParkingLot.Edge.Sync;

/// <summary>
/// Sends the ledger's outbox to the cloud over MQTT 5 (DESIGN §5, invariant I4). The ledger, not the
/// broker, makes delivery reliable: MQTTnet keeps nothing across reconnects, so after every connect
/// (and whenever acks stall) sending restarts from the cloud's acknowledged seq + 1, and the cloud
/// applies idempotently on (lot, epoch, seq). The acked seq is persisted and only moves forward.
/// </summary>
internal sealed class OutboxPublisher : BackgroundService
{
    private readonly LedgerStore _ledger;
    private readonly AgentIdentity _agent;
    private readonly BrokerAddress _broker;
    private readonly SyncOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxPublisher> _logger;
    private readonly string _lotId;
    private readonly string _eventsTopic;
    private readonly string _stateTopic;
    private readonly string _acksTopic;
    private readonly Channel<CloudAck> _acks = Channel.CreateUnbounded<CloudAck>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string? _username;
    private readonly string? _password;
    private long _sentSeq;
    private long _lastProgress;

    public OutboxPublisher(LedgerStore ledger, AgentIdentity agent, SyncTarget target, IOptions<SyncOptions> options, TimeProvider time, ILogger<OutboxPublisher> logger)
    {
        _ledger = ledger;
        _agent = agent;
        _broker = target.Broker;
        _username = target.Username;
        _password = target.Password;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _lotId = ledger.LotId;
        _eventsTopic = Topics.EdgeEvents(_lotId);
        _stateTopic = Topics.EdgeState(_lotId);
        _acksTopic = Topics.CloudAcks(_lotId);
    }

    /// <summary>True while connected to the broker (for status and tests).</summary>
    public bool IsConnected { get; private set; }

    /// <summary>The broker address in use (parkctl sync status).</summary>
    public string Broker => _broker.ToString();

    /// <summary>The last connection or session error and when it happened; kept after a reconnect so a technician sees what went wrong.</summary>
    public (string Message, DateTimeOffset At)? LastError { get; private set; }

    /// <summary>When the cloud's acknowledgement last moved the cursor (this run), for parkctl sync status.</summary>
    public DateTimeOffset? LastAckAt { get; private set; }

    /// <summary>
    /// parkctl sync now: sends the unacknowledged backlog at once when connected. While disconnected the
    /// reconnect back-off keeps its pace (a technician cannot make the broker reachable by asking).
    /// </summary>
    public void RequestSend() => Wake();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        client.DisconnectedAsync += _ =>
        {
            IsConnected = false;
            Wake();
            return Task.CompletedTask;
        };
        _ledger.Appended += OnAppended;

        var reconnect = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectDelay,
                MaxDelay = _options.MaxReconnectDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    LastError = (args.Outcome.Exception?.Message ?? "connect failed", _time.GetUtcNow());
                    Log.BrokerConnectFailed(_logger, _broker.ToString(), args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // A fresh Execute per connection loss restarts the back-off at its first delay.
                await reconnect.ExecuteAsync(async ct => await ConnectAsync(client, ct), stoppingToken);
                try
                {
                    await RunSessionAsync(client, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.BrokerSessionLost(_logger, _broker.ToString(), ex.Message);
                    LastError = (ex.Message, _time.GetUtcNow());
                    await DisconnectQuietlyAsync(client);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
        finally
        {
            _ledger.Appended -= OnAppended;
            await GoOfflineAsync(client);
        }
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        if (client.IsConnected)
        {
            return;
        }

        var will = Serialize(State(online: false));
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"edge-{_lotId}")
            .WithCleanStart(false)
            .WithSessionExpiryInterval(Seconds(_options.SessionExpiry))
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout)
            .WithWillTopic(_stateTopic)
            .WithWillPayload(will)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillDelayInterval(Seconds(_options.WillDelay))
            .WithWillContentType("application/json");
        if (_username is not null)
        {
            builder.WithCredentials(_username, _password ?? string.Empty);
        }

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var result = await client.ConnectAsync(builder.Build(), linked.Token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"The broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_acksTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            linked.Token);

        // Whatever was in flight on the old connection may be lost: resend from the acked seq.
        _sentSeq = _ledger.AckedSeq;
        _lastProgress = _time.GetTimestamp();
        await PublishStateAsync(client, online: true, linked.Token);
        IsConnected = true;
        Log.BrokerConnected(_logger, _broker.ToString(), result.IsSessionPresent, _ledger.AckedSeq, _ledger.LastSeq);
    }

    private async Task RunSessionAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var nextHeartbeat = _time.GetTimestamp() + Ticks(_options.HeartbeatInterval);
        while (client.IsConnected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ApplyAcksAsync(cancellationToken);

            var acked = _ledger.AckedSeq;
            if (_sentSeq < acked)
            {
                _sentSeq = acked;
            }

            if (_sentSeq > acked && _time.GetElapsedTime(_lastProgress) > _options.AckTimeout)
            {
                Log.AckTimeout(_logger, acked, _sentSeq, _options.AckTimeout);
                _sentSeq = acked;
                _lastProgress = _time.GetTimestamp();
            }

            var room = _options.MaxInFlightEvents - (_sentSeq - acked);
            if (room > 0 && _ledger.LastSeq > _sentSeq)
            {
                await PublishBatchAsync(client, (int)Math.Min(room, _options.BatchSize), cancellationToken);
                continue;
            }

            if (_time.GetTimestamp() >= nextHeartbeat)
            {
                await PublishStateAsync(client, online: true, cancellationToken);
                nextHeartbeat = _time.GetTimestamp() + Ticks(_options.HeartbeatInterval);
            }

            var wait = TimeSpan.FromTicks(Math.Max(1, (long)((nextHeartbeat - _time.GetTimestamp()) * ((double)TimeSpan.TicksPerSecond / _time.TimestampFrequency))));
            if (_sentSeq > acked)
            {
                var ackDue = _options.AckTimeout - _time.GetElapsedTime(_lastProgress);
                wait = ackDue < wait ? ackDue : wait;
            }

            await WaitForWorkAsync(wait, cancellationToken);
        }

        Log.BrokerDisconnected(_logger, _broker.ToString());
    }

    private async Task PublishBatchAsync(IMqttClient client, int limit, CancellationToken cancellationToken)
    {
        var events = await _ledger.ReadAfterAsync(_sentSeq, limit, cancellationToken);
        if (events.Count == 0)
        {
            return;
        }

        // A batch is consecutive by contract; a hole means the ledger was tampered with, and sending
        // past it would make the cloud refuse everything after. Send the consecutive prefix only.
        var count = 1;
        while (count < events.Count && events[count].Seq == events[count - 1].Seq + 1)
        {
            count++;
        }

        if (events[0].Seq != _sentSeq + 1)
        {
            Log.OutboxGap(_logger, _sentSeq + 1, events[0].Seq);
            await WaitForWorkAsync(_options.AckTimeout, cancellationToken);
            return;
        }

        var batchEvents = count == events.Count ? events : events.Take(count).ToList();
        var batch = new EdgeEventBatch(_lotId, _ledger.Epoch, batchEvents[0].Seq, batchEvents[^1].Seq, batchEvents);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_eventsTopic)
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(batch, ParkingLotJsonContext.Default.EdgeEventBatch))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .WithUserProperty("epoch", Utf8(_ledger.Epoch))
            .WithUserProperty("seqFrom", Utf8(batch.SeqFrom))
            .WithUserProperty("seqTo", Utf8(batch.SeqTo))
            .Build();

        var wasIdle = _sentSeq == _ledger.AckedSeq;
        var result = await client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"The broker refused batch {batch.SeqFrom}-{batch.SeqTo}: {result.ReasonCode} {result.ReasonString}");
        }

        _sentSeq = batch.SeqTo;
        if (wasIdle)
        {
            // The ack clock starts when something is outstanding, not at the last ack hours ago.
            _lastProgress = _time.GetTimestamp();
        }

        Log.BatchSent(_logger, batch.SeqFrom, batch.SeqTo, _ledger.AckedSeq);
    }

    private async Task ApplyAcksAsync(CancellationToken cancellationToken)
    {
        while (_acks.Reader.TryRead(out var ack))
        {
            if (ack.Epoch != _ledger.Epoch)
            {
                Log.AckForOtherEpoch(_logger, ack.Epoch, _ledger.Epoch);
                continue;
            }

            if (ack.Seq > _ledger.LastSeq)
            {
                Log.AckBeyondLedger(_logger, ack.Seq, _ledger.LastSeq);
            }

            if (await _ledger.SetAckedSeqAsync(ack.Seq, cancellationToken))
            {
                _lastProgress = _time.GetTimestamp();
                LastAckAt = _time.GetUtcNow();
                Log.AckApplied(_logger, _ledger.AckedSeq);
            }
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        if (!string.Equals(message.Topic, _acksTopic, StringComparison.Ordinal))
        {
            return Task.CompletedTask;
        }

        // Persisting happens on the sender loop: the receive loop must not block on SQLite, and one
        // writer of the cursor keeps it monotonic without further locking.
        CloudAck? ack;
        try
        {
            var reader = new Utf8JsonReader(message.Payload);
            ack = JsonSerializer.Deserialize(ref reader, ParkingLotJsonContext.Default.CloudAck);
        }
        catch (JsonException ex)
        {
            Log.MalformedAck(_logger, message.Topic, ex.Message);
            return Task.CompletedTask;
        }

        if (ack is null || ack.Seq < 0)
        {
            Log.MalformedAck(_logger, message.Topic, "null or negative seq");
            return Task.CompletedTask;
        }

        _acks.Writer.TryWrite(ack);
        Wake();
        return Task.CompletedTask;
    }

    private void OnAppended(LedgerEvent e) => Wake();

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task WaitForWorkAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource(wait, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await _wake.Reader.WaitToReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timer due (heartbeat or ack timeout).
            }
        }

        _wake.Reader.TryRead(out _);
    }

    private async Task PublishStateAsync(IMqttClient client, bool online, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_stateTopic)
            .WithPayload(Serialize(State(online)))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .WithContentType("application/json")
            .Build();
        await client.PublishAsync(message, cancellationToken);
    }

    /// <summary>
    /// On stop: give the outbox a short chance to drain (the gate lanes have stopped, so the backlog
    /// is final), then publish the retained offline state ourselves and disconnect normally, which
    /// tells the broker not to send the will.
    /// </summary>
    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var flush = new CancellationTokenSource(_options.ShutdownFlushTimeout, _time);
        try
        {
            while (client.IsConnected && _ledger.AckedSeq < _ledger.LastSeq)
            {
                await ApplyAcksAsync(flush.Token);
                if (_sentSeq < _ledger.LastSeq)
                {
                    await PublishBatchAsync(client, _options.BatchSize, flush.Token);
                }
                else
                {
                    await WaitForWorkAsync(_options.ShutdownFlushTimeout, flush.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Whatever is left stays in the outbox for the next start.
        }

        try
        {
            using var final = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            await PublishStateAsync(client, online: false, final.Token);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), final.Token);
            Log.WentOffline(_logger, _ledger.AckedSeq, _ledger.LastSeq);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            Log.OfflineStateNotSent(_logger, ex.Message);
        }
    }

    private static async Task DisconnectQuietlyAsync(IMqttClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                // Not a normal disconnect: the broker should publish our will if we stay away.
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Already gone.
        }
    }

    private EdgeState State(bool online) => new(
        _lotId,
        online,
        _agent.Version,
        _agent.BootId,
        _ledger.Epoch,
        _ledger.LastSeq,
        _ledger.LastSeq - _ledger.AckedSeq,
        _ledger.TimeQuality,
        _time.GetUtcNow());

    private static byte[] Serialize(EdgeState state) => JsonSerializer.SerializeToUtf8Bytes(state, ParkingLotJsonContext.Default.EdgeState);

    private static ReadOnlyMemory<byte> Utf8(long value) => System.Text.Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static uint Seconds(TimeSpan span) => (uint)Math.Clamp(span.TotalSeconds, 0, uint.MaxValue);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}

/// <summary>Where the outbox goes, resolved from <c>--broker</c> or the lot file's cloud section.</summary>
internal sealed record SyncTarget(BrokerAddress Broker, string? Username, string? Password);
