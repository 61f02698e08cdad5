namespace ParkingLot.Edge;

// Gate arm safety log messages: event ids 2000-2499 (see the id ranges in Log.cs).
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Warning, "Lane {GateId}: the closing arm was sent back up ({Cause}); the lane stays in service and closes once the passage is clear")]
    public static partial void BarrierReversed(ILogger logger, string gateId, string cause);

    [LoggerMessage(2001, LogLevel.Warning, "Lane {GateId}: {Command} by hand refused by the interlock: {Refusal}")]
    public static partial void ManualCommandRefused(ILogger logger, string gateId, string command, string refusal);
}
