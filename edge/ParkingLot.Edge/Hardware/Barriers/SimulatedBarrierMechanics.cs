using System.Device.Gpio;
using ParkingLot.Edge.Hardware.Gpio;

namespace ParkingLot.Edge.Hardware.Barriers;

/// <summary>
/// The arm of a simulated barrier and its controller: watches the relay output of a
/// <see cref="SimulatedGpioDriver"/> and, like the real mechanics, releases the limit switch it leaves
/// at once and makes the target switch after <see cref="TravelTime"/>. Like a real arm it falls as
/// soon as the relay is released, wherever it rests (a driver that releases the relay at start-up
/// drops an arm that was up: <see cref="Descents"/> counts every fall). With <see cref="Stuck"/> the
/// arm never arrives (a barrier fault); <see cref="ObstacleUnderArm"/> is the controller's own safety
/// input (photocell or loop): while it is set, a falling arm goes back up by itself, as the
/// controller reverses it. Pairs with <see cref="GpioBarrier"/>'s defaults: relay active low, limit
/// switches active low.
/// </summary>
internal sealed class SimulatedBarrierMechanics : IDisposable
{
    private readonly SimulatedGpioDriver _driver;
    private readonly GpioBarrierOptions _options;
    private readonly ITimer _arrival;
    private readonly object _gate = new();
    private bool? _targetOpen;
    private bool _obstacle;
    private bool _arrived = true;

    public SimulatedBarrierMechanics(SimulatedGpioDriver driver, GpioBarrierOptions options, TimeProvider time, bool startOpen = false)
    {
        _driver = driver;
        _options = options;
        _arrival = time.CreateTimer(_ => Arrive(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // The arm rests where it starts; the relay line is whatever the driver finds.
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

    /// <summary>How many times the arm started to fall (relay released while it was not down).</summary>
    public int Descents { get; private set; }

    /// <summary>How many times the controller's safety input sent a falling arm back up.</summary>
    public int SafetyReversals { get; private set; }

    /// <summary>
    /// The barrier controller's own safety input (its photocell or safety loop) sees something under
    /// the arm. Set while the arm is falling, the controller reverses it: the arm goes back up and
    /// stays up, with the relay still released.
    /// </summary>
    public bool ObstacleUnderArm
    {
        get
        {
            lock (_gate)
            {
                return _obstacle;
            }
        }

        set
        {
            lock (_gate)
            {
                _obstacle = value;
                if (!value || _targetOpen != false || _arrived)
                {
                    return;
                }

                _targetOpen = true;
                SafetyReversals++;
            }

            SetSwitches(open: false, closed: false);
            _arrival.Change(TravelTime, Timeout.InfiniteTimeSpan);
        }
    }

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
            _arrived = false;
            Moves++;
            if (!open)
            {
                Descents++;
                if (_obstacle)
                {
                    // The controller's safety input is already blocked: the arm dips and goes back up.
                    _targetOpen = true;
                    SafetyReversals++;
                }
            }
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
            _arrived = true;
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
