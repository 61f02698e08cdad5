using System.Device.Gpio;
using Iot.Device.Hcsr04;
using UnitsNet;

namespace ParkingLot.Edge.Hardware.Sensors;

/// <summary>
/// HC-SR04 ultrasonic ranger through <see cref="Hcsr04"/> (Iot.Device.Bindings). The binding
/// busy-waits on the echo pin and times it with a real <see cref="System.Diagnostics.Stopwatch"/>,
/// so it is the one driver here whose timing cannot follow an injected TimeProvider; a simulated
/// echo must therefore be a real-time one (<see cref="SimulatedHcsr04Echo"/>).
/// </summary>
internal sealed class Hcsr04DistanceSource : IDistanceSource, IDisposable
{
    /// <summary>
    /// HC-SR04 datasheet: "measuring range 2 cm - 400 cm". Readings outside it are echoes of the
    /// sensor's own housing or multipath, not a target.
    /// </summary>
    public static readonly Length MinimumRange = Length.FromCentimeters(2);

    /// <inheritdoc cref="MinimumRange"/>
    public static readonly Length MaximumRange = Length.FromCentimeters(400);

    private readonly Hcsr04 _sonar;

    public Hcsr04DistanceSource(GpioController controller, int triggerPin, int echoPin, bool shouldDispose = true)
    {
        _sonar = new Hcsr04(controller, triggerPin, echoPin, shouldDispose);
    }

    public bool TryReadDistanceMm(out double distanceMm)
    {
        distanceMm = double.NaN;
        if (!_sonar.TryGetDistance(out var distance))
        {
            return false;
        }

        if (distance > MaximumRange)
        {
            // Past the rated range the module times out and reports its maximum pulse: no target.
            distanceMm = double.PositiveInfinity;
            return true;
        }

        distanceMm = distance.Millimeters;
        return distance >= MinimumRange;
    }

    public void Dispose() => _sonar.Dispose();
}
