namespace ParkingLot.Edge;

/// <summary>The systemd watchdog (event ids 2550-2559).</summary>
internal static partial class Log
{
    [LoggerMessage(2550, LogLevel.Information, "systemd watchdog on: pinging every {Interval}")]
    public static partial void WatchdogEnabled(ILogger logger, TimeSpan interval);

    [LoggerMessage(2551, LogLevel.Warning, "systemd watchdog: no ping this round ({Reason})")]
    public static partial void WatchdogSkipped(ILogger logger, string reason);
}
