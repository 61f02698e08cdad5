using System.Device.Gpio;

namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>
/// One parking space's sensor. <see cref="TryReadOccupied"/> is a single raw reading (false when
/// the sensor gave none); <see cref="SpaceSensorPoller"/> adds the hysteresis.
/// </summary>
internal interface ISpaceSensor : IReportsHealth
{
    string SensorId { get; }

    bool TryReadOccupied(out bool occupied);
}

/// <summary>A ranging device (ultrasonic, time-of-flight) as seen by a space sensor.</summary>
internal interface IDistanceSource
{
    /// <summary>
    /// One measurement in millimetres, <see cref="double.PositiveInfinity"/> when the device reports
    /// "no target in range" (for a sensor looking down, an empty space; UnitsNet's Length cannot hold
    /// infinity, hence a plain double). False when the device failed to measure (no echo, bus error,
    /// timeout).
    /// </summary>
    bool TryReadDistanceMm(out double distanceMm);
}

/// <summary>A digital presence sensor on a GPIO pin (magnetometer module, IR reflective, mat switch).</summary>
internal sealed class GpioSpaceSensor : ISpaceSensor, IDisposable
{
    private readonly GpioController _controller;
    private readonly int _pin;
    private readonly bool _activeLow;
    private readonly bool _shouldDispose;

    public GpioSpaceSensor(string sensorId, GpioController controller, int pin, bool activeLow = true, bool shouldDispose = true)
    {
        SensorId = sensorId;
        _controller = controller;
        _pin = pin;
        _activeLow = activeLow;
        _shouldDispose = shouldDispose;
        _controller.OpenPin(pin, activeLow ? PinMode.InputPullUp : PinMode.InputPullDown);
    }

    public string SensorId { get; }

    public bool TryReadOccupied(out bool occupied)
    {
        // A GPIO level is always a reading; a broken wire reads as the pull resistor's level, which
        // is "free" by construction (active level is the opposite of the pull).
        var level = _controller.Read(_pin);
        occupied = _activeLow ? level == PinValue.Low : level == PinValue.High;
        return true;
    }

    public DeviceHealth GetHealth() => DeviceHealth.Ok(SensorId, DeviceKind.SpaceSensor, $"GPIO {_pin}");

    public void Dispose()
    {
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
        else
        {
            _controller.ClosePin(_pin);
        }
    }
}

/// <summary>
/// A space sensor over a ranging device mounted above (or in front of) the space. The dead-band
/// thresholds are applied here as a Schmitt trigger (one reading suffices on either side, readings
/// in the band keep the last state); the poller's consecutive-reading filter comes on top.
/// </summary>
internal sealed class DistanceSpaceSensor : ISpaceSensor
{
    private readonly IDistanceSource _source;
    private readonly DeviceKind _kind;
    private readonly OccupancyFilter _band;
    private int _failures;
    private double _lastMm = double.NaN;

    public DistanceSpaceSensor(string sensorId, DeviceKind kind, IDistanceSource source, DistanceThresholds thresholds)
    {
        SensorId = sensorId;
        _kind = kind;
        _source = source;
        _band = new OccupancyFilter(1, thresholds);
    }

    public string SensorId { get; }

    public bool TryReadOccupied(out bool occupied)
    {
        occupied = false;
        if (!_source.TryReadDistanceMm(out var distanceMm))
        {
            Interlocked.Increment(ref _failures);
            return false;
        }

        Volatile.Write(ref _failures, 0);
        _lastMm = distanceMm;
        _band.UpdateDistance(_lastMm);
        if (_band.State is not { } state)
        {
            // First readings in the dead band: no honest answer yet.
            return false;
        }

        occupied = state;
        return true;
    }

    public DeviceHealth GetHealth()
    {
        var failures = Volatile.Read(ref _failures);
        return failures switch
        {
            0 => DeviceHealth.Ok(SensorId, _kind, double.IsNaN(_lastMm) ? "no reading yet" : $"last distance {_lastMm:0} mm"),
            < 5 => new DeviceHealth(SensorId, _kind, DeviceState.Degraded, $"{failures} failed reading(s) in a row", "check for dirt or condensation on the sensor face"),
            _ => new DeviceHealth(SensorId, _kind, DeviceState.Faulted, $"{failures} failed readings in a row", "check the sensor's power, wiring and (for I2C) `i2cdetect -y 1`"),
        };
    }
}

/// <summary>A distance the simulator or a test sets; the same <see cref="DistanceSpaceSensor"/> code reads it.</summary>
internal sealed class SimulatedDistanceSource : IDistanceSource
{
    private double _mm = double.PositiveInfinity;
    private volatile bool _failing;

    /// <summary>The distance the next reading returns, in mm (infinity for "nothing in range").</summary>
    public double DistanceMm
    {
        get => Volatile.Read(ref _mm);
        set => Volatile.Write(ref _mm, value);
    }

    /// <summary>When true every reading fails, like a sensor with no echo.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public bool TryReadDistanceMm(out double distanceMm)
    {
        distanceMm = DistanceMm;
        return !_failing;
    }
}
