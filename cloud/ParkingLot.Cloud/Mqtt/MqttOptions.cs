using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ParkingLot.Cloud.Mqtt;

/// <summary>The broker the cloud talks to (configuration section <c>Mqtt</c>).</summary>
internal sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>
    /// External broker as <c>host:port</c>. Absent (the default) → the cloud runs an in-process
    /// MQTTnet broker on <see cref="ListenAddress"/>:<see cref="ListenPort"/> and connects to it.
    /// </summary>
    public string? Broker { get; set; }

    /// <summary>Port of the in-process broker. Default 1883.</summary>
    [Range(1, 65535)]
    public int ListenPort { get; set; } = 1883;

    /// <summary>Address the in-process broker binds. Default 127.0.0.1 (loopback only).</summary>
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Client id of this cloud instance; must be unique per instance on a shared broker. Default <c>parkinglot-cloud</c>.</summary>
    [Required]
    public string ClientId { get; set; } = "parkinglot-cloud";

    /// <summary>Credentials for the external broker. Default none.</summary>
    public string? Username { get; set; }

    /// <inheritdoc cref="Username"/>
    public string? Password { get; set; }

    /// <summary>
    /// Group name for MQTT 5 shared subscriptions (<c>$share/{group}/…</c>) so several cloud
    /// instances split the ingest. Needs an external broker that supports them. Default off.
    /// </summary>
    public string? SharedSubscriptionGroup { get; set; }

    /// <summary>
    /// How long the external broker keeps this instance's session (queued QoS 1 messages) while it is
    /// disconnected. Default 1 day.
    /// </summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>True when the cloud runs its own broker.</summary>
    public bool IsEmbedded => string.IsNullOrWhiteSpace(Broker);

    /// <summary>Host and port to connect to: the external broker, or the in-process one over loopback.</summary>
    public (string Host, int Port) Endpoint
    {
        get
        {
            if (IsEmbedded)
            {
                var address = IPAddress.Parse(ListenAddress);
                var host = address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "::1" : ListenAddress;
                return (host, ListenPort);
            }

            return TryParseBroker(Broker!, out var brokerHost, out var brokerPort)
                ? (brokerHost, brokerPort)
                : throw new InvalidOperationException(ValidationMessage);
        }
    }

    /// <summary>Cross-field checks DataAnnotations cannot express.</summary>
    public static bool IsValid(MqttOptions options) =>
        (options.IsEmbedded || TryParseBroker(options.Broker!, out _, out _))
        && IPAddress.TryParse(options.ListenAddress, out _)
        && !(options.IsEmbedded && !string.IsNullOrWhiteSpace(options.SharedSubscriptionGroup))
        && options.SessionExpiry >= TimeSpan.Zero;

    public const string ValidationMessage =
        "Mqtt: Broker must be host:port, ListenAddress an IP address, SessionExpiry not negative, and SharedSubscriptionGroup needs an external Broker (the in-process MQTTnet broker has no shared subscriptions).";

    private static bool TryParseBroker(string value, out string host, out int port)
    {
        var colon = value.LastIndexOf(':');
        host = colon > 0 ? value[..colon].Trim('[', ']') : string.Empty;
        port = 0;
        return colon > 0
            && int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port is > 0 and <= 65535;
    }
}
