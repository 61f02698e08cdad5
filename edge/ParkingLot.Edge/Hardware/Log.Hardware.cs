namespace ParkingLot.Edge;

/// <summary>Production wiring of the devices: space sensors and their broker (event ids 2500-2549).</summary>
internal static partial class Log
{
    [LoggerMessage(2500, LogLevel.Warning, "Space sensor problem: {Problem}")]
    public static partial void SpaceSensorProblem(ILogger logger, string problem);

    [LoggerMessage(2501, LogLevel.Information, "Watching {Sensors} space sensors ({Mqtt} on the local broker); {Problems} could not be opened")]
    public static partial void SpaceSensorsWatching(ILogger logger, int sensors, int mqtt, int problems);

    [LoggerMessage(2502, LogLevel.Warning, "Cannot reach the sensor broker {Broker}, retrying in {Delay}: {Reason}")]
    public static partial void SensorBrokerUnreachable(ILogger logger, string broker, TimeSpan delay, string? reason);

    [LoggerMessage(2503, LogLevel.Information, "Subscribed to {Filter} on the sensor broker {Broker}")]
    public static partial void SensorBrokerSubscribed(ILogger logger, string broker, string filter);

    [LoggerMessage(2504, LogLevel.Warning, "Refused a sensor message on {Topic}: {Reason}")]
    public static partial void SensorMessageRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(2505, LogLevel.Warning, "The lot's sensors publish on MQTT but no broker is configured (Sensors:Broker, --broker or the lot file's cloud.broker): {Count} spots go unwatched")]
    public static partial void SensorBrokerMissing(ILogger logger, int count);
}
