using System.Device.Gpio;
using System.Diagnostics;
using ParkingLot.Edge.Hardware.Inputs;

namespace ParkingLot.Edge.Hardware.Barriers;

internal enum BarrierPosition
{
    /// <summary>Neither limit switch is made and no move is under way (power-on mid-travel, or a fault).</summary>
    Unknown,
    Closed,
    Open,
    Moving,

    /// <summary>Both limit switches report at once: a wiring fault or a welded switch.</summary>
    Conflicting,
}

internal enum BarrierResult
{
    /// <summary>The limit switch of the requested position reported within the timeout.</summary>
    Reached,

    /// <summary>
    /// The position was not confirmed in time (or the feedback is contradictory). The caller records
    /// a fault event and puts the lane in its safe state; the relay is left where it was commanded.
    /// </summary>
    BarrierFault,
}

/// <summary>What became of one open/close command.</summary>
internal sealed record BarrierOutcome(BarrierResult Result, BarrierPosition Position, TimeSpan Elapsed, string? Fault = null)
{
    public bool Reached => Result == BarrierResult.Reached;
}

/// <summary>A barrier arm with position feedback. Moves are serialised: one command at a time.</summary>
internal interface IBarrierDriver : IReportsHealth
{
    string Id { get; }

    BarrierPosition Position { get; }

    Task<BarrierOutcome> OpenAsync(CancellationToken cancellationToken);

    Task<BarrierOutcome> CloseAsync(CancellationToken cancellationToken);
}

/// <summary>Pins and timing of a <see cref="GpioBarrier"/>; from the lot file.</summary>
internal sealed record GpioBarrierOptions
{
    /// <summary>BCM GPIO driving the relay board input that holds the barrier's OPEN contact.</summary>
    public required int RelayPin { get; init; }

    /// <summary>True when the relay board energises on a low input (most opto-isolated boards). Default true.</summary>
    public bool RelayActiveLow { get; init; } = true;

    /// <summary>Limit switch "arm up" (open), through an opto-coupler; active low.</summary>
    public required int OpenFeedbackPin { get; init; }

    /// <summary>Limit switch "arm down" (closed), through an opto-coupler; active low.</summary>
    public required int ClosedFeedbackPin { get; init; }

    /// <summary>
    /// How long a move may take before it is a fault. Default 6 s: the arms we fit travel in 1.5-4 s
    /// (barrier.md); the margin covers a slow arm in the cold without hiding a stuck one for long.
    /// </summary>
    public TimeSpan MoveTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Limit-switch debounce. Default 50 ms: microswitch bounce on a vibrating arm lasts up to ~20 ms.</summary>
    public TimeSpan FeedbackStableTime { get; init; } = TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// A barrier driven by one relay (energised = hold open, released = close) with two limit-switch
/// inputs. The relay is the only thing we command; the limit switches are the only thing we trust:
/// a move succeeds when the target switch reports, never because time has passed.
/// </summary>
internal sealed class GpioBarrier : IBarrierDriver, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly GpioBarrierOptions _options;
    private readonly TimeProvider _time;
    private readonly DebouncedInput _openSwitch;
    private readonly DebouncedInput _closedSwitch;
    private readonly SemaphoreSlim _oneMove = new(1, 1);
    private volatile bool _moving;
    private BarrierOutcome? _lastOutcome;

    public GpioBarrier(string id, GpioController controller, GpioBarrierOptions options, TimeProvider time, bool shouldDispose = true)
    {
        Id = id;
        _controller = controller;
        _options = options;
        _time = time;
        _shouldDispose = shouldDispose;

        // Start with the relay released: after a reboot the safe state is "not commanding open".
        _controller.OpenPin(options.RelayPin, PinMode.Output, RelayLevel(energised: false));
        _openSwitch = new DebouncedInput($"{id}.open", DeviceKind.Barrier, controller, Feedback(options.OpenFeedbackPin), time, shouldDispose: false);
        _closedSwitch = new DebouncedInput($"{id}.closed", DeviceKind.Barrier, controller, Feedback(options.ClosedFeedbackPin), time, shouldDispose: false);
    }

    public string Id { get; }

    public BarrierPosition Position => (_openSwitch.IsActive, _closedSwitch.IsActive) switch
    {
        (true, true) => BarrierPosition.Conflicting,
        (true, false) => BarrierPosition.Open,
        (false, true) => BarrierPosition.Closed,
        _ => _moving ? BarrierPosition.Moving : BarrierPosition.Unknown,
    };

    public Task<BarrierOutcome> OpenAsync(CancellationToken cancellationToken) => MoveAsync(open: true, cancellationToken);

    public Task<BarrierOutcome> CloseAsync(CancellationToken cancellationToken) => MoveAsync(open: false, cancellationToken);

    public DeviceHealth GetHealth()
    {
        var position = Position;
        var last = Volatile.Read(ref _lastOutcome);
        if (position == BarrierPosition.Conflicting)
        {
            return new DeviceHealth(Id, DeviceKind.Barrier, DeviceState.Faulted,
                "both limit switches report at once",
                $"check the limit-switch wiring on GPIO {_options.OpenFeedbackPin}/{_options.ClosedFeedbackPin} for a short or a welded switch");
        }

        if (last is { Result: BarrierResult.BarrierFault })
        {
            return new DeviceHealth(Id, DeviceKind.Barrier, DeviceState.Faulted,
                $"last move failed: {last.Fault}",
                "check the arm is free to move, the barrier controller has power and is in automatic mode, and the limit switches");
        }

        return position == BarrierPosition.Unknown
            ? new DeviceHealth(Id, DeviceKind.Barrier, DeviceState.Degraded, "position unknown (no limit switch made)", "run `parkctl gate close` to bring the arm to a known position")
            : DeviceHealth.Ok(Id, DeviceKind.Barrier, $"arm {position.ToString().ToLowerInvariant()}");
    }

    public void Dispose()
    {
        _openSwitch.Dispose();
        _closedSwitch.Dispose();
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
        else
        {
            _controller.ClosePin(_options.RelayPin);
        }

        _oneMove.Dispose();
    }

    private async Task<BarrierOutcome> MoveAsync(bool open, CancellationToken cancellationToken)
    {
        await _oneMove.WaitAsync(cancellationToken);
        var started = _time.GetTimestamp();
        try
        {
            var target = open ? _openSwitch : _closedSwitch;
            var wanted = open ? BarrierPosition.Open : BarrierPosition.Closed;
            _moving = true;
            _controller.Write(_options.RelayPin, RelayLevel(energised: open));

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reached = target.WaitForAsync(true, timeout.Token);
            var expired = Task.Delay(_options.MoveTimeout, _time, timeout.Token);
            var first = await Task.WhenAny(reached, expired);
            await timeout.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();

            var elapsed = _time.GetElapsedTime(started);
            var position = Position;
            BarrierOutcome outcome;
            if (first == reached && position == wanted)
            {
                outcome = new BarrierOutcome(BarrierResult.Reached, position, elapsed);
            }
            else if (position == BarrierPosition.Conflicting)
            {
                outcome = new BarrierOutcome(BarrierResult.BarrierFault, position, elapsed, "both limit switches report");
            }
            else
            {
                outcome = new BarrierOutcome(BarrierResult.BarrierFault, position, elapsed,
                    $"{(open ? "open" : "closed")} position not reached within {_options.MoveTimeout.TotalSeconds:0.#} s");
            }

            Volatile.Write(ref _lastOutcome, outcome);
            return outcome;
        }
        finally
        {
            _moving = false;
            _oneMove.Release();
        }
    }

    private DebouncedInputOptions Feedback(int pin) => new()
    {
        Pin = pin,
        ActiveLow = true,
        Mode = PinMode.InputPullUp,
        StableTime = _options.FeedbackStableTime,
    };

    private PinValue RelayLevel(bool energised) => energised ^ _options.RelayActiveLow ? PinValue.High : PinValue.Low;
}
