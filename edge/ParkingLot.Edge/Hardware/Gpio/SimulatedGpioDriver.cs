using System.Device.Gpio;

namespace ParkingLot.Edge.Hardware.Gpio;

/// <summary>A value a driver wrote to an output pin, with the (injected) time it was written.</summary>
internal readonly record struct PinWrite(int Pin, PinValue Value, DateTimeOffset At);

/// <summary>
/// A <see cref="GpioDriver"/> with no hardware behind it, used as <c>new GpioController(driver)</c> so
/// that every driver runs its real <see cref="GpioController"/> code path in tests and in
/// <c>--simulate</c>. The simulator (or a test) drives inputs with <see cref="SetInput"/> and watches
/// outputs through <see cref="GetLevel"/>, <see cref="Writes"/> and <see cref="OutputWritten"/>.
/// Edge callbacks run synchronously on the thread that changed the level, which keeps tests
/// deterministic; the libgpiod driver calls back from its own event thread, so drivers must already
/// be thread-safe and not rely on either.
/// </summary>
internal sealed class SimulatedGpioDriver : GpioDriver
{
    /// <summary>BCM 0-27: the GPIOs on the Raspberry Pi 40-pin header.</summary>
    public const int DefaultPinCount = 28;

    private readonly object _gate = new();
    private readonly Dictionary<int, SimulatedPin> _pins = [];
    private readonly List<PinWrite> _writes = [];
    private readonly TimeProvider _time;
    private readonly int _pinCount;

    public SimulatedGpioDriver(TimeProvider? time = null, int pinCount = DefaultPinCount)
    {
        _time = time ?? TimeProvider.System;
        _pinCount = pinCount;
    }

    /// <summary>Raised after a driver wrote an output pin (also when the value did not change).</summary>
    public event Action<int, PinValue>? OutputWritten;

    /// <summary>Every output write so far, oldest first.</summary>
    public IReadOnlyList<PinWrite> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    protected override int PinCount => _pinCount;

    /// <summary>Drives an input pin as the outside world would; raises edge callbacks on a change.</summary>
    public void SetInput(int pin, PinValue value)
    {
        CheckPinNumber(pin);
        ChangeLevel(pin, value, isWrite: false);
    }

    /// <summary>
    /// Nothing drives <paramref name="pin"/> any more (a cut wire, an unplugged detector): it reads
    /// what its pull resistor gives, as a real floating input with a pull would.
    /// </summary>
    public void Disconnect(int pin)
    {
        CheckPinNumber(pin);
        ChangeLevel(pin, null, isWrite: false);
    }

    /// <summary>
    /// Makes reads of <paramref name="pin"/> ask <paramref name="source"/> (null to go back to the
    /// stored level). For signals whose level depends on when it is read, such as an HC-SR04 echo.
    /// </summary>
    public void SetInputSource(int pin, Func<PinValue>? source)
    {
        lock (_gate)
        {
            GetOrAdd(pin).Source = source;
        }
    }

    /// <summary>The level on a pin now: what was written to an output or driven onto an input.</summary>
    public PinValue GetLevel(int pin)
    {
        lock (_gate)
        {
            return LevelOf(GetOrAdd(pin));
        }
    }

    /// <summary>The mode a driver set, or null while the pin is closed.</summary>
    public PinMode? GetModeOrNull(int pin)
    {
        lock (_gate)
        {
            return _pins.TryGetValue(pin, out var p) && p.IsOpen ? p.Mode : null;
        }
    }

    /// <summary>How many edge callbacks are registered on <paramref name="pin"/> (to check that drivers clean up).</summary>
    public int CallbackCount(int pin)
    {
        lock (_gate)
        {
            return _pins.TryGetValue(pin, out var p) ? p.Callbacks.Count : 0;
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        CheckPinNumber(pinNumber);
        lock (_gate)
        {
            var pin = GetOrAdd(pinNumber);
            pin.IsOpen = true;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            if (_pins.TryGetValue(pinNumber, out var pin))
            {
                pin.IsOpen = false;
                pin.Callbacks.Clear();
            }
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            var pin = OpenedPin(pinNumber);
            pin.Mode = mode;
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        SetPinMode(pinNumber, mode);
        if (mode == PinMode.Output)
        {
            Write(pinNumber, initialValue);
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return OpenedPin(pinNumber).Mode;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber)
    {
        Func<PinValue>? source;
        lock (_gate)
        {
            var pin = OpenedPin(pinNumber);
            source = pin.Source;
            if (source is null)
            {
                return LevelOf(pin);
            }
        }

        // Outside the lock: a source may read the clock or other pins.
        return source();
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            var pin = OpenedPin(pinNumber);
            if (pin.Mode != PinMode.Output)
            {
                throw new InvalidOperationException($"GPIO {pinNumber} is an input ({pin.Mode}); a driver wrote to it.");
            }

            _writes.Add(new PinWrite(pinNumber, value, _time.GetUtcNow()));
        }

        ChangeLevel(pinNumber, value, isWrite: true);
        OutputWritten?.Invoke(pinNumber, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var signalled = new ManualResetEventSlim(false);
        var seen = PinEventTypes.None;
        void Handler(object sender, PinValueChangedEventArgs e)
        {
            seen = e.ChangeType;
            signalled.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, Handler);
        try
        {
            signalled.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, Handler);
        }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            OpenedPin(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_pins.TryGetValue(pinNumber, out var pin))
            {
                pin.Callbacks.RemoveAll(c => c.Handler == callback);
            }
        }
    }

    private void ChangeLevel(int pinNumber, PinValue? value, bool isWrite)
    {
        (PinEventTypes, PinChangeEventHandler)[] toCall;
        PinEventTypes edge;
        lock (_gate)
        {
            var pin = GetOrAdd(pinNumber);
            var before = LevelOf(pin);
            if (isWrite)
            {
                pin.Output = value ?? PinValue.Low;
            }
            else
            {
                pin.Input = value;
            }

            var after = LevelOf(pin);
            if (before == after || !pin.IsOpen)
            {
                return;
            }

            edge = after == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            toCall = [.. pin.Callbacks.Where(c => (c.Events & edge) != 0)];
        }

        // Outside the lock: a callback may read pins or start timers.
        var args = new PinValueChangedEventArgs(edge, pinNumber);
        foreach (var (_, handler) in toCall)
        {
            handler(this, args);
        }
    }

    private static PinValue LevelOf(SimulatedPin pin) => pin.Mode switch
    {
        PinMode.Output => pin.Output,
        PinMode.InputPullUp => pin.Input ?? PinValue.High,
        _ => pin.Input ?? PinValue.Low,
    };

    private SimulatedPin GetOrAdd(int pinNumber)
    {
        if (!_pins.TryGetValue(pinNumber, out var pin))
        {
            pin = new SimulatedPin();
            _pins.Add(pinNumber, pin);
        }

        return pin;
    }

    private SimulatedPin OpenedPin(int pinNumber)
    {
        if (!_pins.TryGetValue(pinNumber, out var pin) || !pin.IsOpen)
        {
            throw new InvalidOperationException($"GPIO {pinNumber} is not open.");
        }

        return pin;
    }

    private void CheckPinNumber(int pin)
    {
        if (pin < 0 || pin >= _pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pin), pin, $"The simulated controller has GPIO 0-{_pinCount - 1}.");
        }
    }

    private sealed class SimulatedPin
    {
        public bool IsOpen { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Output { get; set; } = PinValue.Low;

        /// <summary>Null until something drives the input: then pull resistors decide the level.</summary>
        public PinValue? Input { get; set; }

        public Func<PinValue>? Source { get; set; }

        public List<(PinEventTypes Events, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
