using System.Device.Gpio;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Shared;

namespace ParkingLot.Edge.Hardware.Payment;

internal sealed record PulseAcceptorOptions
{
    /// <summary>BCM GPIO of the acceptor's COIN/credit output (open collector, through an opto-coupler).</summary>
    public required int Pin { get; init; }

    /// <summary>What one pulse is worth, e.g. 50 EUR cents when the acceptor is taught 1 pulse = 0.50.</summary>
    public required Money ValuePerPulse { get; init; }

    /// <summary>
    /// Debounce. Default 10 ms: shorter than the shortest pulse width acceptors offer (20-30 ms,
    /// e.g. CH-926 "fast" setting) and longer than opto-coupler and wiring noise.
    /// </summary>
    public TimeSpan StableTime { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// No pulse for this long ends a payment. Default 1.5 s: longer than the gap between a coin's
    /// pulses (≤ 100 ms) and the acceptor's validation time between coins (~0.5 s), short enough that
    /// the driver waiting at the kiosk sees the credit promptly.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Open-collector output pulled up: a pulse is low. Default true.</summary>
    public bool ActiveLow { get; init; } = true;

    /// <summary>
    /// BCM GPIO driving the acceptor's inhibit input (through a transistor or relay): high = reject
    /// every coin. Null when the acceptor's inhibit is not wired; it then takes coins at any time.
    /// </summary>
    public int? InhibitPin { get; init; }
}

/// <summary>
/// A coin/bill acceptor in pulse mode: counts debounced pulses and, when the line has been idle for
/// <see cref="PulseAcceptorOptions.IdleTimeout"/>, credits pulses × value as one payment. With an
/// inhibit line (<see cref="PulseAcceptorOptions.InhibitPin"/>) it starts inhibited: coins are
/// rejected until <see cref="SetInhibited"/> lets them in.
/// </summary>
internal sealed class PulseAcceptor : IReportsHealth, IDisposable
{
    private readonly object _gate = new();
    private readonly string _id;
    private readonly PulseAcceptorOptions _options;
    private readonly TimeProvider _time;
    private readonly DebouncedInput _input;
    private readonly ITimer _idle;
    private readonly Channel<Money> _payments = Channel.CreateUnbounded<Money>();
    private readonly GpioController _controller;
    private bool _inhibited;
    private int _pulses;
    private long _totalPulses;

    public PulseAcceptor(string id, GpioController controller, PulseAcceptorOptions options, TimeProvider time, bool shouldDispose = true)
    {
        _id = id;
        _options = options;
        _time = time;
        _idle = time.CreateTimer(_ => Close(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _input = new DebouncedInput(id, DeviceKind.CoinAcceptor, controller, new DebouncedInputOptions
        {
            Pin = options.Pin,
            ActiveLow = options.ActiveLow,
            Mode = options.ActiveLow ? PinMode.InputPullUp : PinMode.InputPullDown,
            StableTime = options.StableTime,
        }, time, shouldDispose);
        _input.Changed += OnChanged;
        _controller = controller;
        if (options.InhibitPin is { } inhibit)
        {
            controller.OpenPin(inhibit, PinMode.Output, PinValue.High);
            _inhibited = true;
        }
    }

    /// <summary>The device id (health, stray-coin records).</summary>
    public string Id => _id;

    /// <summary>Raised per debounced pulse with the running amount of the payment under way (for a live display).</summary>
    public event EventHandler<Money>? PulseCounted;

    /// <summary>Pulses of the payment under way.</summary>
    public int PendingPulses
    {
        get
        {
            lock (_gate)
            {
                return _pulses;
            }
        }
    }

    /// <summary>Whether the inhibit line is driven (coins rejected); always false without one.</summary>
    public bool Inhibited
    {
        get
        {
            lock (_gate)
            {
                return _inhibited;
            }
        }
    }

    /// <summary>Drives the inhibit line (high = reject coins) when it changes; nothing without an inhibit line.</summary>
    public void SetInhibited(bool inhibited)
    {
        lock (_gate)
        {
            if (_options.InhibitPin is not { } pin || _inhibited == inhibited)
            {
                return;
            }

            _controller.Write(pin, inhibited ? PinValue.High : PinValue.Low);
            _inhibited = inhibited;
        }
    }

    /// <summary>Completed payments, one per burst of pulses.</summary>
    public IAsyncEnumerable<Money> PaymentsAsync(CancellationToken cancellationToken) => ReadAll(cancellationToken);

    /// <summary>Waits for the next completed payment.</summary>
    public async Task<Money> CollectAsync(CancellationToken cancellationToken) => await _payments.Reader.ReadAsync(cancellationToken);

    public DeviceHealth GetHealth() =>
        DeviceHealth.Ok(_id, DeviceKind.CoinAcceptor, $"{Interlocked.Read(ref _totalPulses)} pulse(s) since start, {_input.IgnoredEdges} bounce(s) filtered{(_options.InhibitPin is null ? ", no inhibit line" : Inhibited ? ", inhibited" : ", taking coins")}");

    /// <summary>Leaves the inhibit line driven (coins rejected) while the agent is not running.</summary>
    public void Dispose()
    {
        SetInhibited(true);
        _input.Changed -= OnChanged;
        _idle.Dispose();
        _input.Dispose();
        _payments.Writer.TryComplete();
    }

    private async IAsyncEnumerable<Money> ReadAll([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var payment in _payments.Reader.ReadAllAsync(cancellationToken))
        {
            yield return payment;
        }
    }

    private void OnChanged(object? sender, InputChangedEventArgs e)
    {
        if (!e.IsActive)
        {
            return;
        }

        Money running;
        lock (_gate)
        {
            _pulses++;
            running = _options.ValuePerPulse * _pulses;
            _idle.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);
        }

        Interlocked.Increment(ref _totalPulses);
        PulseCounted?.Invoke(this, running);
    }

    private void Close()
    {
        int pulses;
        lock (_gate)
        {
            pulses = _pulses;
            _pulses = 0;
        }

        if (pulses > 0)
        {
            _payments.Writer.TryWrite(_options.ValuePerPulse * pulses);
        }
    }
}
