namespace ParkingLot.Edge;

// Control API log messages: event ids 900-949 (see the id ranges in Log.cs).
internal static partial class Log
{
    [LoggerMessage(900, LogLevel.Information, "Control API listening on {Endpoints}; token in {TokenFile}")]
    public static partial void ControlListening(ILogger logger, string endpoints, string tokenFile);

    [LoggerMessage(901, LogLevel.Warning, "Gate {GateId} {Command} by {Technician} ({Reason}): {Outcome}")]
    public static partial void GateCommanded(ILogger logger, string gateId, string command, string technician, string reason, string outcome);

    [LoggerMessage(902, LogLevel.Information, "Self-test of {Scope} by {Technician}: {Outcome}")]
    public static partial void SelfTestRan(ILogger logger, string scope, string technician, string outcome);

    [LoggerMessage(903, LogLevel.Error, "Control API request {Method} {Path} failed")]
    public static partial void ControlRequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(904, LogLevel.Warning, "Printer {DeviceId} status check failed: {Error}")]
    public static partial void PrinterCheckFailed(ILogger logger, string deviceId, string error);
}
