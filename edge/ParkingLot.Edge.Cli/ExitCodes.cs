namespace ParkingLot.Edge.Cli;

/// <summary>parkctl's exit codes (docs/technician.md lists them too).</summary>
internal static class ExitCodes
{
    /// <summary>Done; everything checked is fine.</summary>
    public const int Ok = 0;

    /// <summary>Something is degraded or a check failed (status, selftest, verify, config validate, a gate that did not move).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (unknown verb, missing reason, bad value) or the agent refused the request as malformed.</summary>
    public const int Usage = 2;

    /// <summary>The agent cannot be reached (not running, wrong socket, token unreadable or refused).</summary>
    public const int Unreachable = 3;
}

/// <summary>The agent could not be reached; <see cref="Exception.Message"/> is the one line parkctl prints.</summary>
internal sealed class AgentUnreachableException(string message) : Exception(message);

/// <summary>The agent answered with a refusal (4xx); <see cref="Exception.Message"/> is its sentence.</summary>
internal sealed class AgentRefusedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
