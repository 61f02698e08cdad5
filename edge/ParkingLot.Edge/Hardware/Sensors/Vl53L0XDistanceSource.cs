using System.Device.I2c;
using Iot.Device.Vl53L0X;

namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>
/// VL53L0X time-of-flight ranger through <see cref="Vl53L0X"/> over I2C (address 0x29). The
/// binding's constructor runs ST's full initialisation (SPAD and reference calibration, which poll
/// undocumented registers), so tests use <see cref="SimulatedDistanceSource"/> behind the same
/// <see cref="DistanceSpaceSensor"/> instead of a register-level fake; see vl53l0x.md.
/// </summary>
internal sealed class Vl53L0XDistanceSource : IDistanceSource, IDisposable
{
    /// <summary>Binding/datasheet sentinel (8190 mm, "OutOfRange"): no target within range.</summary>
    private const ushort OutOfRange = (ushort)OperationRange.OutOfRange;

    /// <summary>
    /// Timeout for one ranging operation. Datasheet §2.4: a default single ranging takes ~33 ms;
    /// 100 ms leaves room for the high-accuracy profile (200 ms budget is not used here).
    /// </summary>
    private const int OperationTimeoutMs = 100;

    private readonly Vl53L0X _sensor;

    public Vl53L0XDistanceSource(I2cDevice device, bool shouldDispose = true)
    {
        _sensor = new Vl53L0X(device, OperationTimeoutMs, shouldDispose)
        {
            MeasurementMode = MeasurementMode.Single,
        };
    }

    public bool TryReadDistanceMm(out double distanceMm)
    {
        distanceMm = double.NaN;
        ushort mm;
        try
        {
            mm = _sensor.Distance;
        }
        catch (IOException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            return false;
        }

        // OutOfRange and the neighbouring 8191 "no signal" mean nothing reflected: an empty space.
        distanceMm = mm >= OutOfRange ? double.PositiveInfinity : mm;
        return true;
    }

    public void Dispose() => _sensor.Dispose();
}
