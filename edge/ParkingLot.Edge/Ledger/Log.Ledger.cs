namespace ParkingLot.Edge;

/// <summary>The ledger's safe mode (event ids 2570-2579).</summary>
internal static partial class Log
{
    [LoggerMessage(2570, LogLevel.Critical, "The ledger {Path} cannot be written ({Reason}): safe mode. No lane step is taken without its event: no admission, no barrier move, no ticket; retrying the disk every few seconds. Free space or replace the storage")]
    public static partial void LedgerUnwritable(ILogger logger, string path, string reason);

    [LoggerMessage(2571, LogLevel.Warning, "The ledger {Path} takes writes again: safe mode over")]
    public static partial void LedgerWritableAgain(ILogger logger, string path);
}
