namespace ParkingLot.Shared.Contracts;

/// <summary>
/// MQTT 5 topic names of the edge ↔ cloud sync protocol (docs/protocol.md). Every lot lives under
/// <c>parking/v1/lots/{lotId}</c>; a lot's broker credentials allow only its own root.
/// </summary>
public static class Topics
{
    /// <summary>Prefix of every lot topic.</summary>
    public const string LotsRoot = "parking/v1/lots";

    /// <summary>Retained cloud online/offline flag (also the cloud's last will).</summary>
    public const string CloudState = "parking/v1/cloud/state";

    /// <summary>Wildcard the cloud subscribes to for every lot's event batches.</summary>
    public const string AllEdgeEvents = LotsRoot + "/+/edge/events";

    /// <summary>Wildcard the cloud subscribes to for every lot's birth/heartbeat/last will.</summary>
    public const string AllEdgeStates = LotsRoot + "/+/edge/state";

    /// <summary><c>parking/v1/lots/{lotId}</c>.</summary>
    public static string LotRoot(string lotId) => $"{LotsRoot}/{lotId}";

    /// <summary>Edge → cloud batches of ledger events in seq order (QoS 1).</summary>
    public static string EdgeEvents(string lotId) => $"{LotRoot(lotId)}/edge/events";

    /// <summary>Edge birth/heartbeat, retained; the last will carries online=false.</summary>
    public static string EdgeState(string lotId) => $"{LotRoot(lotId)}/edge/state";

    /// <summary>Highest lease/grant version applied at the edge, retained.</summary>
    public static string EdgeApplied(string lotId) => $"{LotRoot(lotId)}/edge/applied";

    /// <summary>Cloud → edge {epoch, highest contiguous seq applied}, retained.</summary>
    public static string CloudAcks(string lotId) => $"{LotRoot(lotId)}/cloud/acks";

    /// <summary>Cloud → edge lot configuration, tariff versions and verification keys, retained.</summary>
    public static string CloudConfig(string lotId) => $"{LotRoot(lotId)}/cloud/config";

    /// <summary>Cloud → edge lease log deltas.</summary>
    public static string CloudLeases(string lotId) => $"{LotRoot(lotId)}/cloud/leases";

    /// <summary>Lease snapshot request/response.</summary>
    public static string CloudLeasesSnapshot(string lotId) => $"{LotRoot(lotId)}/cloud/leases/snapshot";

    /// <summary>Cloud → edge commands (request/response, short expiry).</summary>
    public static string CloudCommands(string lotId) => $"{LotRoot(lotId)}/cloud/commands";

    /// <summary>Third-party sensor readings on the lot's local broker.</summary>
    public static string Sensor(string lotId, string sensorId) => $"{LotRoot(lotId)}/sensors/{sensorId}";

    /// <summary>
    /// Splits <c>parking/v1/lots/{lotId}/{rest}</c>; false for any other shape (including a lot id
    /// that is empty or contains wildcard characters).
    /// </summary>
    public static bool TryParseLotTopic(string topic, out string lotId, out string rest)
    {
        lotId = string.Empty;
        rest = string.Empty;
        const string prefix = LotsRoot + "/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var remainder = topic.AsSpan(prefix.Length);
        var slash = remainder.IndexOf('/');
        if (slash <= 0 || slash == remainder.Length - 1)
        {
            return false;
        }

        var id = remainder[..slash];
        if (id.ContainsAny('+', '#'))
        {
            return false;
        }

        lotId = id.ToString();
        rest = remainder[(slash + 1)..].ToString();
        return true;
    }
}
