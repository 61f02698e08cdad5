using System.Device.Gpio;
using System.Diagnostics;
using ParkingLot.Edge.Hardware.Gpio;

namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>
/// The module side of a simulated HC-SR04 on a <see cref="SimulatedGpioDriver"/>: after the trigger
/// pin falls, the echo pin reads high for the round-trip time of sound to <see cref="DistanceMm"/>
/// and back. Real time (a Stopwatch), because <see cref="Iot.Device.Hcsr04.Hcsr04"/> measures the
/// pulse with one; see hcsr04.md.
/// </summary>
internal sealed class SimulatedHcsr04Echo : IDisposable
{
    /// <summary>Speed of sound the binding assumes (34 300 cm/s, dry air at 20 °C).</summary>
    private const double SoundMmPerSecond = 343_000;

    /// <summary>HC-SR04 datasheet: the module sends an 8-cycle 40 kHz burst (200 µs) before raising echo.</summary>
    private static readonly TimeSpan BurstTime = TimeSpan.FromMicroseconds(200);

    /// <summary>With no target the module drops echo after about 38 ms (datasheet timing diagram).</summary>
    private static readonly TimeSpan NoTargetPulse = TimeSpan.FromMilliseconds(38);

    private readonly SimulatedGpioDriver _driver;
    private readonly int _triggerPin;
    private readonly int _echoPin;
    private long _triggeredAt = -1;

    public SimulatedHcsr04Echo(SimulatedGpioDriver driver, int triggerPin, int echoPin)
    {
        _driver = driver;
        _triggerPin = triggerPin;
        _echoPin = echoPin;
        _driver.OutputWritten += OnOutputWritten;
        _driver.SetInputSource(echoPin, ReadEcho);
    }

    /// <summary>Distance to the target in mm; infinity for no target.</summary>
    public double DistanceMm { get; set; } = double.PositiveInfinity;

    /// <summary>When true the module never answers (unplugged or dead).</summary>
    public bool Silent { get; set; }

    public void Dispose()
    {
        _driver.OutputWritten -= OnOutputWritten;
        _driver.SetInputSource(_echoPin, null);
    }

    private void OnOutputWritten(int pin, PinValue value)
    {
        if (pin == _triggerPin && value == PinValue.Low)
        {
            Interlocked.Exchange(ref _triggeredAt, Stopwatch.GetTimestamp());
        }
    }

    private PinValue ReadEcho()
    {
        var triggered = Interlocked.Read(ref _triggeredAt);
        if (Silent || triggered < 0)
        {
            return PinValue.Low;
        }

        var pulse = double.IsInfinity(DistanceMm) ? NoTargetPulse : TimeSpan.FromSeconds(2 * DistanceMm / SoundMmPerSecond);
        var since = Stopwatch.GetElapsedTime(triggered);
        return since >= BurstTime && since < BurstTime + pulse ? PinValue.High : PinValue.Low;
    }
}
