using System.Device.Gpio;

namespace ParkingLot.Edge.Hardware.Inputs;

/// <summary>
/// A two-state input after debouncing: a vehicle on an induction loop, an interrupted IR beam, a
/// closed reed switch, a barrier limit switch, a coin pulse.
/// </summary>
internal interface IDigitalInput : IReportsHealth
{
    string Id { get; }

    /// <summary>The debounced state: true while the loop/beam/switch reports its active condition.</summary>
    bool IsActive { get; }

    /// <summary>Raised once per debounced change, with the new state; never for bounces.</summary>
    event EventHandler<InputChangedEventArgs>? Changed;

    /// <summary>Completes when <see cref="IsActive"/> equals <paramref name="active"/> (at once if it already does).</summary>
    Task WaitForAsync(bool active, CancellationToken cancellationToken);
}

internal sealed class InputChangedEventArgs(bool isActive, DateTimeOffset at) : EventArgs
{
    public bool IsActive { get; } = isActive;

    /// <summary>When the level settled (the debounce period ended), from the injected clock.</summary>
    public DateTimeOffset At { get; } = at;
}

/// <summary>Wiring and filtering of one <see cref="DebouncedInput"/>; pins come from the lot file.</summary>
internal sealed record DebouncedInputOptions
{
    /// <summary>BCM GPIO number.</summary>
    public required int Pin { get; init; }

    /// <summary>
    /// True when the active condition pulls the pin low. Default true: loop-detector relays,
    /// opto-couplers and reed switches are wired to ground against a pull-up (hardware/wiring.md).
    /// </summary>
    public bool ActiveLow { get; init; } = true;

    /// <summary>How long the level must hold before it counts. Default 30 ms (see the device docs).</summary>
    public TimeSpan StableTime { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Input, InputPullUp or InputPullDown. Default InputPullUp, matching <see cref="ActiveLow"/>.</summary>
    public PinMode Mode { get; init; } = PinMode.InputPullUp;

    /// <summary>
    /// Options of a fail-safe safety input (loop, passage beam): the pull resistor pulls toward the
    /// active level, so an open circuit (cut wire, unplugged or unpowered detector) reads active
    /// ("vehicle present / beam blocked") and a lane never closes its arm on a sensor it cannot hear.
    /// The detector's normally-closed contact must hold the pin at the inactive level while clear.
    /// </summary>
    public static DebouncedInputOptions FailSafe(int pin, bool activeLow, TimeSpan? stableTime = null)
    {
        var options = new DebouncedInputOptions { Pin = pin, ActiveLow = activeLow, Mode = activeLow ? PinMode.InputPullDown : PinMode.InputPullUp };
        return stableTime is { } stable ? options with { StableTime = stable } : options;
    }
}

/// <summary>
/// Software debounce over a <see cref="GpioController"/> edge callback: every edge restarts a
/// <see cref="StableTime"/> timer and the level counts only when the timer runs out, so any bounce
/// shorter than the stable time is invisible and a real change is reported exactly once. Timing
/// comes from the injected <see cref="TimeProvider"/>, so tests step it with FakeTimeProvider.
/// </summary>
internal sealed class DebouncedInput : IDigitalInput, IDisposable
{
    private readonly object _gate = new();
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly DebouncedInputOptions _options;
    private readonly TimeProvider _time;
    private readonly DeviceKind _kind;
    private readonly ITimer _settle;
    private readonly List<(bool Active, TaskCompletionSource Done)> _waiters = [];
    private bool _isActive;
    private int _bounces;
    private bool _disposed;

    public DebouncedInput(
        string id,
        DeviceKind kind,
        GpioController controller,
        DebouncedInputOptions options,
        TimeProvider time,
        bool shouldDispose = true)
    {
        if (options.StableTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StableTime, "StableTime must be positive.");
        }

        Id = id;
        _kind = kind;
        _controller = controller;
        _options = options;
        _time = time;
        _shouldDispose = shouldDispose;
        _settle = time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        _controller.OpenPin(options.Pin, options.Mode);

        // The level at start counts as settled: at power-on a vehicle may already stand on the loop,
        // and the lane must see it without waiting for an edge.
        _isActive = IsActiveLevel(_controller.Read(options.Pin));
        _controller.RegisterCallbackForPinValueChangedEvent(options.Pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
    }

    public string Id { get; }

    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return _isActive;
            }
        }
    }

    /// <summary>The stable time this input uses (a pulse counter checks its pulses are longer).</summary>
    public TimeSpan StableTime => _options.StableTime;

    /// <summary>Edges that did not lead to a change (bounce or noise) since start.</summary>
    public int IgnoredEdges => Volatile.Read(ref _bounces);

    public event EventHandler<InputChangedEventArgs>? Changed;

    public Task WaitForAsync(bool active, CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_isActive == active)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((active, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    public DeviceHealth GetHealth()
    {
        var bounces = IgnoredEdges;
        var state = IsActive ? "active" : "inactive";
        return new DeviceHealth(Id, _kind, DeviceState.Ok, $"GPIO {_options.Pin} {state}, {bounces} bounce edge(s) filtered");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _settle.Dispose();
        _controller.UnregisterCallbackForPinValueChangedEvent(_options.Pin, OnEdge);
        if (_shouldDispose)
        {
            _controller.Dispose();
        }
        else
        {
            _controller.ClosePin(_options.Pin);
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Restart the window: the level has to hold for a full StableTime after the last edge.
            _settle.Change(_options.StableTime, Timeout.InfiniteTimeSpan);
        }
    }

    private void Settle()
    {
        bool now;
        List<TaskCompletionSource> release = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                now = IsActiveLevel(_controller.Read(_options.Pin));
            }
            catch (ObjectDisposedException)
            {
                // The controller was closed under a pending settle (shutdown): a timer callback must
                // never take the process down.
                return;
            }

            if (now == _isActive)
            {
                // The pin went away and came back within the window: a bounce or a glitch.
                _bounces++;
                return;
            }

            _isActive = now;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Active == now)
                {
                    release.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in release)
        {
            done.TrySetResult();
        }

        Changed?.Invoke(this, new InputChangedEventArgs(now, _time.GetUtcNow()));
    }

    private bool IsActiveLevel(PinValue level) => _options.ActiveLow ? level == PinValue.Low : level == PinValue.High;
}
