using ParkingLot.Edge.Hardware.Gpio;
using ParkingLot.Edge.Hardware.Sensors;

namespace ParkingLot.Edge.Tests.Hardware;

/// <summary>
/// Runs the real Iot.Device.Hcsr04 binding against <see cref="SimulatedHcsr04Echo"/>. The binding
/// times the echo with a real Stopwatch, so these tests use real time and wide tolerances.
/// </summary>
public sealed class Hcsr04DistanceSourceTests
{
    private const int Trigger = 20;
    private const int Echo = 21;

    [Fact]
    public void TryReadDistanceMm_EchoForOneMetre_MeasuresAboutOneMetre()
    {
        var driver = new SimulatedGpioDriver();
        using var echo = new SimulatedHcsr04Echo(driver, Trigger, Echo) { DistanceMm = 1000 };
        using var sonar = new Hcsr04DistanceSource(new System.Device.Gpio.GpioController(driver), Trigger, Echo);

        var readings = Enumerable.Range(0, 20).Select(_ => sonar.TryReadDistanceMm(out var mm) ? mm : double.PositiveInfinity).ToList();

        // A preempted busy-wait only ever lengthens the measured pulse, so the shortest of 20 readings is
        // the honest one; the upper bound leaves room for a loaded CI machine.
        Assert.InRange(readings.Min(), 950, 1400);
    }

    [Fact]
    public void TryReadDistanceMm_SilentModule_Fails()
    {
        var driver = new SimulatedGpioDriver();
        using var echo = new SimulatedHcsr04Echo(driver, Trigger, Echo) { Silent = true };
        using var sonar = new Hcsr04DistanceSource(new System.Device.Gpio.GpioController(driver), Trigger, Echo);

        Assert.False(sonar.TryReadDistanceMm(out _));
    }

    [Fact]
    public void TryReadDistanceMm_NoTarget_FailsLikeAMissingModule()
    {
        // The binding gives up on a 38 ms no-target pulse, so "nothing there" and "no module" look
        // alike: hcsr04.md therefore requires the floor to be within range of a down-looking sensor.
        var driver = new SimulatedGpioDriver();
        using var echo = new SimulatedHcsr04Echo(driver, Trigger, Echo);
        using var sonar = new Hcsr04DistanceSource(new System.Device.Gpio.GpioController(driver), Trigger, Echo);

        Assert.False(sonar.TryReadDistanceMm(out _));
    }
}
