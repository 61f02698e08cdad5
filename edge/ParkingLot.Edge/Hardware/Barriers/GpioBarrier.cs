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
    /// The position was not confirmed in time (or the feedback is contradictory): a stuck arm or a
    /// wiring fault. The caller records a fault event and puts the lane in its safe state; the relay
    /// is left where it was commanded.
    /// </summary>
    BarrierFault,

    /// <summary>
    /// Commanded closed, the arm left the open switch and came back to it without reaching closed:
    /// the barrier controller's own safety input (its photocell or loop) reversed it. The arm works;
    /// something was under it. Not a fault.
    /// </summary>
    Reversed,

    /// <summary>A newer command replaced this one before it finished (the newer one reports the arm).</summary>
    Superseded,
}

/// <summary>What became of one open/close command.</summary>
internal sealed record BarrierOutcome(BarrierResult Result, BarrierPosition Position, TimeSpan Elapsed, string? Fault = null)
{
    public bool Reached => Result == BarrierResult.Reached;
}

/// <summary>
/// A barrier arm with position feedback. A command replaces the one in flight at once (the relay is
/// written before the call first awaits, so calls made in order drive the relay in order); the
/// replaced call returns <see cref="BarrierResult.Superseded"/>. That is how a lane reverses a closing arm.
/// </summary>
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
/// <para>
/// The relay line is not touched until the first command: releasing it at start-up would drop an
/// arm that is up over a vehicle before power-on recovery has read the ledger and the sensors. The
/// first command opens the line at the commanded level.
/// </para>
/// </summary>
internal sealed class GpioBarrier : IBarrierDriver, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly GpioBarrierOptions _options;
    private readonly TimeProvider _time;
    private readonly DebouncedInput _openSwitch;
    private readonly DebouncedInput _closedSwitch;
    private readonly Lock _moveLock = new();
    private CancellationTokenSource? _currentMove;
    private volatile bool _moving;
    private BarrierOutcome? _lastOutcome;

    public GpioBarrier(string id, GpioController controller, GpioBarrierOptions options, TimeProvider time, bool shouldDispose = true)
    {
        Id = id;
        _controller = controller;
        _options = options;
        _time = time;
        _shouldDispose = shouldDispose;

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
        else if (_controller.IsPinOpen(_options.RelayPin))
        {
            _controller.ClosePin(_options.RelayPin);
        }

        lock (_moveLock)
        {
            _currentMove?.Cancel();
        }
    }

    private async Task<BarrierOutcome> MoveAsync(bool open, CancellationToken cancellationToken)
    {
        CancellationTokenSource move;
        long started;
        lock (_moveLock)
        {
            // A newer command wins at once: a closing arm must be able to go back up without
            // waiting for the close to time out.
            _currentMove?.Cancel();
            move = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _currentMove = move;
            _moving = true;
            Drive(energised: open);
            started = _time.GetTimestamp();
        }

        try
        {
            var outcome = await WatchAsync(open, started, move.Token);
            cancellationToken.ThrowIfCancellationRequested();
            if (outcome is null)
            {
                return new BarrierOutcome(BarrierResult.Superseded, Position, _time.GetElapsedTime(started));
            }

            Volatile.Write(ref _lastOutcome, outcome);
            return outcome;
        }
        finally
        {
            lock (_moveLock)
            {
                if (_currentMove == move)
                {
                    _currentMove = null;
                    _moving = false;
                }
            }

            move.Dispose();
        }
    }

    /// <summary>Watches the limit switches for one move; null when the move was superseded or cancelled.</summary>
    private async Task<BarrierOutcome?> WatchAsync(bool open, long started, CancellationToken cancellationToken)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = watching.Token;
        var target = open ? _openSwitch : _closedSwitch;
        var wanted = open ? BarrierPosition.Open : BarrierPosition.Closed;
        var expired = Task.Delay(_options.MoveTimeout, _time, token);
        var reached = target.WaitForAsync(true, token);
        var reversed = false;
        Task? first = null;
        if (open)
        {
            first = await Task.WhenAny(reached, expired);
        }
        else
        {
            // Closing: once the arm has left the open switch, coming back to it before the closed
            // switch reports is the barrier controller reversing the arm (its own safety input),
            // not a stuck arm. A stuck arm never leaves, or never arrives anywhere.
            if (_openSwitch.IsActive)
            {
                var left = _openSwitch.WaitForAsync(false, token);
                first = await Task.WhenAny(reached, left, expired);
                if (first == left)
                {
                    first = reached.IsCompleted ? reached : null;
                }
            }

            if (first is null)
            {
                var back = _openSwitch.WaitForAsync(true, token);
                first = await Task.WhenAny(reached, back, expired);
                reversed = first == back;
            }
        }

        await watching.CancelAsync();
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var elapsed = _time.GetElapsedTime(started);
        if (first == reached && Position == BarrierPosition.Conflicting)
        {
            // The target switch settled before the one the arm left (travel shorter than the
            // debounce, or timers late on a loaded Pi): give the other switch its debounce to
            // settle before calling the feedback contradictory.
            var other = open ? _closedSwitch : _openSwitch;
            using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(other.WaitForAsync(false, settle.Token), Task.Delay(_options.FeedbackStableTime * 3, _time, settle.Token));
            await settle.CancelAsync();
        }

        var position = Position;
        if (first == reached && position == wanted)
        {
            return new BarrierOutcome(BarrierResult.Reached, position, elapsed);
        }

        if (position == BarrierPosition.Conflicting)
        {
            return new BarrierOutcome(BarrierResult.BarrierFault, position, elapsed, "both limit switches report");
        }

        return reversed
            ? new BarrierOutcome(BarrierResult.Reversed, position, elapsed, "the barrier controller reversed the arm (its safety input saw something under it)")
            : new BarrierOutcome(BarrierResult.BarrierFault, position, elapsed, $"{(open ? "open" : "closed")} position not reached within {_options.MoveTimeout.TotalSeconds:0.#} s");
    }

    private void Drive(bool energised)
    {
        var level = RelayLevel(energised);
        if (_controller.IsPinOpen(_options.RelayPin))
        {
            _controller.Write(_options.RelayPin, level);
        }
        else
        {
            _controller.OpenPin(_options.RelayPin, PinMode.Output, level);
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
