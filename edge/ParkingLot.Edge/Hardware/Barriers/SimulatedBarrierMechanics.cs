using System.Device.Gpio;
using ParkingLot.Edge.Hardware.Gpio;

namespace ParkingLot.Edge.Hardware.Barriers;

/// <summary>
/// The arm of a simulated barrier: watches the relay output of a <see cref="SimulatedGpioDriver"/>
/// and, like the real mechanics, releases the limit switch it leaves at once and makes the target
/// switch after <see cref="TravelTime"/>. With <see cref="Stuck"/> the arm never arrives, which is
/// how tests and the simulator produce a barrier fault. Pairs with <see cref="GpioBarrier"/>'s
/// defaults: relay active low, limit switches active low.
/// </summary>
internal sealed class SimulatedBarrierMechanics : IDisposable
{
    private readonly SimulatedGpioDriver _driver;
    private readonly GpioBarrierOptions _options;
    private readonly ITimer _arrival;
    private readonly object _gate = new();
    private bool? _targetOpen;

    public SimulatedBarrierMechanics(SimulatedGpioDriver driver, GpioBarrierOptions options, TimeProvider time, bool startOpen = false)
    {
        _driver = driver;
        _options = options;
        _arrival = time.CreateTimer(_ => Arrive(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // The arm rests where it starts, so the barrier's initial "relay released" is no move.
        _targetOpen = startOpen;
        SetSwitches(open: startOpen, closed: !startOpen);
        _driver.OutputWritten += OnOutputWritten;
    }

    /// <summary>Arm travel time. Default 2 s, a typical 3-4 m arm.</summary>
    public TimeSpan TravelTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When true the arm leaves its position but never reaches the next one.</summary>
    public bool Stuck { get; set; }

    /// <summary>How many moves the relay commanded.</summary>
    public int Moves { get; private set; }

    public void Dispose()
    {
        _driver.OutputWritten -= OnOutputWritten;
        _arrival.Dispose();
    }

    private void OnOutputWritten(int pin, PinValue value)
    {
        if (pin != _options.RelayPin)
        {
            return;
        }

        var open = (value == PinValue.Low) == _options.RelayActiveLow;
        lock (_gate)
        {
            if (_targetOpen == open)
            {
                return;
            }

            _targetOpen = open;
            Moves++;
        }

        // The arm leaves the switch it rests on as soon as the motor starts.
        SetSwitches(open: false, closed: false);
        if (!Stuck)
        {
            _arrival.Change(TravelTime, Timeout.InfiniteTimeSpan);
        }
    }

    private void Arrive()
    {
        bool open;
        lock (_gate)
        {
            if (_targetOpen is not { } target || Stuck)
            {
                return;
            }

            open = target;
        }

        SetSwitches(open: open, closed: !open);
    }

    private void SetSwitches(bool open, bool closed)
    {
        // Active low: a made switch pulls the opto-coupler output to ground.
        _driver.SetInput(_options.OpenFeedbackPin, open ? PinValue.Low : PinValue.High);
        _driver.SetInput(_options.ClosedFeedbackPin, closed ? PinValue.Low : PinValue.High);
    }
}
