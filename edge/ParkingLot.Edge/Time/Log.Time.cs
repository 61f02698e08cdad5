namespace ParkingLot.Edge;

/// <summary>Trusted time: refused clock readings (event ids 2560-2569).</summary>
internal static partial class Log
{
    [LoggerMessage(2560, LogLevel.Warning, "Refused a {Quality} clock reading [{Lo}, {Hi}]: outside the monotonic extrapolation [{ExpectedLo}, {ExpectedHi}] of the last good one (clock stepped?); keeping the extrapolation")]
    public static partial void ClockReadingRefused(ILogger logger, ParkingLot.Shared.Contracts.TimeQuality quality, DateTimeOffset lo, DateTimeOffset? hi, DateTimeOffset expectedLo, DateTimeOffset? expectedHi);
}
