namespace ParkingLot.Cloud;

/// <summary>
/// Best-effort work after a commit and reads that fall back to the store (event ids 9500–9549): the
/// request already has its answer, so these only log.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(9500, LogLevel.Warning, "Refreshing the availability of lot {LotId} after a committed change failed; the cache catches up at the next change or read miss")]
    public static partial void RefreshAfterCommitFailed(ILogger logger, string lotId, Exception exception);

    [LoggerMessage(9501, LogLevel.Warning, "Reading the availability cache for lot {LotId} failed; answered from the store")]
    public static partial void CacheReadFailed(ILogger logger, string lotId, Exception exception);

    [LoggerMessage(9502, LogLevel.Warning, "Writing the availability cache for lot {LotId} failed; the answer came from the store")]
    public static partial void CacheWriteFailed(ILogger logger, string lotId, Exception exception);

    [LoggerMessage(9510, LogLevel.Warning, "{Method} {Path}: the store did not answer (a dead pooled connection?); pool cleared, running it once more")]
    public static partial void StoreOutageRetried(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(9511, LogLevel.Error, "{Method} {Path}: the store did not answer; answered 503 with Retry-After")]
    public static partial void StoreOutageRefused(ILogger logger, string method, string path, Exception exception);
}
