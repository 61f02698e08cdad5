namespace ParkingLot.Edge.Hardware;

/// <summary>What kind of device a <see cref="DeviceHealth"/> describes (parkctl groups by it).</summary>
internal enum DeviceKind
{
    InductionLoop,
    IrBeam,
    ReedSwitch,
    Barrier,
    SpaceSensor,
    UltrasonicSensor,
    TimeOfFlightSensor,
    MqttSensor,
    TicketPrinter,
    Display,
    NfcReader,
    CoinAcceptor,
}

/// <summary>Ok: working. Degraded: working with a caveat (paper low, a flaky reading). Faulted: not usable.</summary>
internal enum DeviceState
{
    Ok,
    Degraded,
    Faulted,
}

/// <summary>
/// One device's health for <c>parkctl status</c>/<c>selftest</c>: the technician reads
/// <see cref="Detail"/> to know what is wrong and <see cref="LikelyFix"/> to know what to try first.
/// </summary>
internal sealed record DeviceHealth(string DeviceId, DeviceKind Kind, DeviceState State, string Detail, string? LikelyFix = null)
{
    public static DeviceHealth Ok(string deviceId, DeviceKind kind, string detail) => new(deviceId, kind, DeviceState.Ok, detail);
}

/// <summary>A device that can say how it is.</summary>
internal interface IReportsHealth
{
    DeviceHealth GetHealth();
}
