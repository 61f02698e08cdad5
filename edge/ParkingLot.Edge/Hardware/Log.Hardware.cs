namespace ParkingLot.Edge;

/// <summary>Production wiring of the devices (event ids 2500-2549) the systemd watchdog (2550-2559) trusted time (2560-2569) and the ledger's safe mode (2570-2579).</summary>
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

    [LoggerMessage(2550, LogLevel.Information, "systemd watchdog on: pinging every {Interval}")]
    public static partial void WatchdogEnabled(ILogger logger, TimeSpan interval);

    [LoggerMessage(2551, LogLevel.Warning, "systemd watchdog: no ping this round ({Reason})")]
    public static partial void WatchdogSkipped(ILogger logger, string reason);

    [LoggerMessage(2560, LogLevel.Warning, "Refused a {Quality} clock reading [{Lo}, {Hi}]: outside the monotonic extrapolation [{ExpectedLo}, {ExpectedHi}] of the last good one (clock stepped?); keeping the extrapolation")]
    public static partial void ClockReadingRefused(ILogger logger, ParkingLot.Shared.Contracts.TimeQuality quality, DateTimeOffset lo, DateTimeOffset? hi, DateTimeOffset expectedLo, DateTimeOffset? expectedHi);

    [LoggerMessage(2570, LogLevel.Critical, "The ledger {Path} cannot be written ({Reason}): safe mode. No lane step is taken without its event: no admission, no barrier move, no ticket; retrying the disk every few seconds. Free space or replace the storage")]
    public static partial void LedgerUnwritable(ILogger logger, string path, string reason);

    [LoggerMessage(2571, LogLevel.Warning, "The ledger {Path} takes writes again: safe mode over")]
    public static partial void LedgerWritableAgain(ILogger logger, string path);
}
