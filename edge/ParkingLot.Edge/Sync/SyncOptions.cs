using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Edge.Sync;

/// <summary>Outbox → MQTT settings (configuration section <c>Sync</c>; DESIGN §5).</summary>
internal sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Broker as host:port; overrides the lot file's <c>cloud.broker</c> (<c>--broker</c>). Default: the lot file's.</summary>
    public string? Broker { get; set; }

    /// <summary>No MQTT at all; events stay in the outbox (<c>--offline</c>). Default false.</summary>
    public bool Offline { get; set; }

    /// <summary>Most events in one <c>edge/events</c> message. Default 500.</summary>
    [Range(1, 500)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Most events sent but not yet acknowledged by the cloud. Default 2,000 (four full batches).</summary>
    [Range(1, 1_000_000)]
    public int MaxInFlightEvents { get; set; } = 2_000;

    /// <summary>With events in flight and no ack progress for this long, resend from the acknowledged seq. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval of the retained <c>edge/state</c> heartbeat (carries last seq and backlog). Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>MQTT keep-alive. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Will delay: the broker publishes online=false this long after losing us, so a quick reconnect
    /// does not flap the dashboard. Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WillDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>MQTT session expiry: cloud → edge messages queue this long while the lot is offline. Default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "49710.00:00:00")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>First reconnect delay; doubles with jitter up to <see cref="MaxReconnectDelay"/>. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Connect attempt timeout. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On stop, how long to keep sending the outbox and waiting for acks before going offline. Default 3 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
