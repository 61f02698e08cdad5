using System.Text.Json;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>One reading a third-party sensor published; at least one of the two values is set.</summary>
internal sealed record MqttSensorReading(string LotId, string SensorId, bool? Occupied, int? DistanceMm);

/// <summary>Either a reading or the reason the message was refused (for a log line, never an exception).</summary>
internal sealed record MqttSensorParseResult(MqttSensorReading? Reading, string? Rejection)
{
    public static MqttSensorParseResult Reject(string reason) => new(null, reason);
}

/// <summary>
/// Parses what LoRaWAN/Zigbee bridges publish on <see cref="Topics.Sensor"/>:
/// <c>{"occupied": true}</c> or <c>{"distanceMm": 1234}</c> (both allowed; other fields tolerated,
/// as for every contract here). Anything else is refused with a reason: a bridge mis-mapping
/// payloads must not silently mark spaces free. The MQTT client lives in the host.
/// </summary>
internal static class MqttSensorPayload
{
    /// <summary>Bridges send tens of bytes; anything this big is not a sensor reading.</summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>No ranging sensor on the market reaches further than this (50 m); beyond it the value is garbage.</summary>
    public const int MaxDistanceMm = 50_000;

    private const string SensorsPrefix = "sensors/";

    public static MqttSensorParseResult Parse(string expectedLotId, string topic, ReadOnlySpan<byte> payload)
    {
        if (!Topics.TryParseLotTopic(topic, out var lotId, out var rest))
        {
            return MqttSensorParseResult.Reject("topic is not a lot topic");
        }

        if (!string.Equals(lotId, expectedLotId, StringComparison.Ordinal))
        {
            return MqttSensorParseResult.Reject($"topic is for lot '{lotId}', not this lot");
        }

        if (!rest.StartsWith(SensorsPrefix, StringComparison.Ordinal))
        {
            return MqttSensorParseResult.Reject("topic is not a sensor topic");
        }

        var sensorId = rest[SensorsPrefix.Length..];
        if (sensorId.Length == 0 || sensorId.Contains('/', StringComparison.Ordinal))
        {
            return MqttSensorParseResult.Reject("sensor id is empty or has a '/'");
        }

        if (payload.IsEmpty)
        {
            return MqttSensorParseResult.Reject("empty payload");
        }

        if (payload.Length > MaxPayloadBytes)
        {
            return MqttSensorParseResult.Reject($"payload of {payload.Length} bytes exceeds {MaxPayloadBytes}");
        }

        try
        {
            return ParseBody(lotId, sensorId, payload);
        }
        catch (JsonException e)
        {
            return MqttSensorParseResult.Reject($"not JSON: {e.Message}");
        }
    }

    private static MqttSensorParseResult ParseBody(string lotId, string sensorId, ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return MqttSensorParseResult.Reject("payload is not a JSON object");
        }

        bool? occupied = null;
        int? distanceMm = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "occupied":
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        return MqttSensorParseResult.Reject("'occupied' must be true or false");
                    }

                    occupied = reader.GetBoolean();
                    break;
                case "distanceMm":
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var mm))
                    {
                        return MqttSensorParseResult.Reject("'distanceMm' must be a whole number");
                    }

                    if (mm is < 0 or > MaxDistanceMm)
                    {
                        return MqttSensorParseResult.Reject($"'distanceMm' {mm} is outside 0-{MaxDistanceMm}");
                    }

                    distanceMm = mm;
                    break;
                default:
                    // Bridges add battery, RSSI, timestamps...: tolerated, not used.
                    reader.Skip();
                    break;
            }
        }

        // A truncated document ends the loop without EndObject.
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
        {
            return MqttSensorParseResult.Reject("payload is not a complete JSON object");
        }

        if (reader.Read())
        {
            return MqttSensorParseResult.Reject("trailing data after the JSON object");
        }

        return occupied is null && distanceMm is null
            ? MqttSensorParseResult.Reject("neither 'occupied' nor 'distanceMm' present")
            : new MqttSensorParseResult(new MqttSensorReading(lotId, sensorId, occupied, distanceMm), null);
    }
}

/// <summary>
/// A space sensor fed by the host's MQTT subscription: it keeps the latest reading and answers
/// <see cref="TryReadOccupied"/> from it until the reading is older than <c>maxAge</c>. Bridges
/// report on change plus a heartbeat, so an old reading means a dead sensor, not a quiet one.
/// </summary>
internal sealed class MqttSpaceSensor(string sensorId, DistanceThresholds? thresholds, TimeSpan maxAge, TimeProvider time) : ISpaceSensor
{
    private readonly object _gate = new();
    private readonly OccupancyFilter? _band = thresholds is null ? null : new OccupancyFilter(1, thresholds);
    private bool? _occupied;
    private long _receivedAt = -1;

    public string SensorId { get; } = sensorId;

    /// <summary>Takes a parsed reading for this sensor (the host routes by sensor id).</summary>
    public void Accept(MqttSensorReading reading)
    {
        lock (_gate)
        {
            if (reading.Occupied is { } occupied)
            {
                _occupied = occupied;
            }
            else if (reading.DistanceMm is { } mm && _band is not null)
            {
                _band.UpdateDistance(mm);
                _occupied = _band.State;
            }
            else
            {
                return;
            }

            _receivedAt = time.GetTimestamp();
        }
    }

    public bool TryReadOccupied(out bool occupied)
    {
        lock (_gate)
        {
            occupied = _occupied ?? false;
            return _occupied is not null && _receivedAt >= 0 && time.GetElapsedTime(_receivedAt) <= maxAge;
        }
    }

    public DeviceHealth GetHealth()
    {
        lock (_gate)
        {
            if (_receivedAt < 0)
            {
                return new DeviceHealth(SensorId, DeviceKind.MqttSensor, DeviceState.Degraded, "no reading received yet", "check the bridge publishes on the sensor topic (mqtt-sensor.md)");
            }

            var age = time.GetElapsedTime(_receivedAt);
            return age <= maxAge
                ? DeviceHealth.Ok(SensorId, DeviceKind.MqttSensor, $"last reading {age.TotalSeconds:0} s ago")
                : new DeviceHealth(SensorId, DeviceKind.MqttSensor, DeviceState.Faulted, $"last reading {age.TotalMinutes:0} min ago", "check the sensor battery and the LoRaWAN/Zigbee bridge");
        }
    }
}
