using System.Device.Gpio;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Gpio;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Simulation;

/// <summary>Physical timing of the simulated lanes.</summary>
/// <param name="BarrierTravel">How long the simulated arm takes to go up or down.</param>
/// <param name="LoopStableTime">Debounce of the loop and passage inputs (the driver's default when null).</param>
/// <param name="PermitPoll">Poll interval of the simulated NFC readers.</param>
/// <param name="PassageStableTime">Debounce of the passage input when it differs from the loop's.</param>
/// <param name="FeedbackStableTime">Debounce of the barrier's limit switches (the driver's default when null).</param>
internal sealed record SimulatedLaneTiming(
    TimeSpan BarrierTravel,
    TimeSpan? LoopStableTime = null,
    TimeSpan? PermitPoll = null,
    TimeSpan? PassageStableTime = null,
    TimeSpan? FeedbackStableTime = null)
{
    /// <summary>Real arms take about 2 s; a compressed scenario compresses them too, down to 20 ms.</summary>
    public static SimulatedLaneTiming ForSpeed(double speed) =>
        new(TimeSpan.FromMilliseconds(Math.Clamp(2000 * 60 / speed, 20, 2000)), null, TimeSpan.FromMilliseconds(Math.Clamp(250 * 60 / speed, 10, 250)));
}

/// <summary>
/// The simulated hardware of a lot: one <see cref="SimulatedGpioDriver"/> under a real
/// <see cref="GpioController"/>, and per gate the real drivers on it (debounced loop and passage
/// inputs, GPIO barrier with simulated arm mechanics, ESC/POS printer on a simulated printer, display,
/// NFC reader, code scanner). The simulator and tests act on the world through each
/// <see cref="SimulatedLaneRig"/>: a vehicle on the loop pulls a GPIO low, exactly as the detector's relay would.
/// </summary>
internal sealed class SimulatedLot : IDisposable
{
    /// <summary>GPIOs per lane: loop, passage beam, barrier relay, open and closed limit switches, loop B.</summary>
    public const int PinsPerLane = 6;

    private readonly Dictionary<string, SimulatedLaneRig> _rigs = new(StringComparer.Ordinal);

    public SimulatedLot(LotFile lot, TimeProvider time, SimulatedLaneTiming timing, IReadOnlyDictionary<string, string>? permitsByUid = null)
    {
        Driver = new SimulatedGpioDriver(time, Math.Max(SimulatedGpioDriver.DefaultPinCount, 2 + lot.Gates.Count * PinsPerLane));
        Controller = new GpioController(Driver);

        // Simulated wiring only: BCM 2/3 stay free (I2C), each lane takes six pins from GPIO 4 up.
        // Real pins come from the lot file's gate devices.
        var pin = 4;
        foreach (var gate in lot.Gates)
        {
            _rigs[gate.Id] = new SimulatedLaneRig(gate, Driver, Controller, pin, time, timing, permitsByUid ?? new Dictionary<string, string>());
            pin += PinsPerLane;
        }
    }

    public SimulatedGpioDriver Driver { get; }

    public GpioController Controller { get; }

    public IReadOnlyCollection<SimulatedLaneRig> Rigs => _rigs.Values;

    public SimulatedLaneRig Rig(string gateId) => _rigs[gateId];

    public void Dispose()
    {
        foreach (var rig in _rigs.Values)
        {
            rig.Dispose();
        }

        Controller.Dispose();
    }
}

/// <summary>One simulated lane: its drivers (<see cref="Devices"/>) and the world around them.</summary>
internal sealed class SimulatedLaneRig : IDisposable
{
    private readonly SimulatedGpioDriver _driver;
    private readonly DebouncedInput _loop;
    private readonly DebouncedInput _passage;
    private readonly DebouncedInput _passedLoop;
    private readonly GpioBarrier _barrier;
    private readonly EscPosTicketPrinter? _printer;

    public SimulatedLaneRig(GateDefinition gate, SimulatedGpioDriver driver, GpioController controller, int firstPin, TimeProvider time, SimulatedLaneTiming timing, IReadOnlyDictionary<string, string> permitsByUid)
    {
        _driver = driver;
        Gate = gate;
        LoopPin = firstPin;
        PassagePin = firstPin + 1;
        PassedLoopPin = firstPin + 5;
        BarrierOptions = new GpioBarrierOptions { RelayPin = firstPin + 2, OpenFeedbackPin = firstPin + 3, ClosedFeedbackPin = firstPin + 4 };
        if (timing.FeedbackStableTime is { } feedback)
        {
            BarrierOptions = BarrierOptions with { FeedbackStableTime = feedback };
        }


        // The arm first, so its limit switches already report "down" when the barrier driver reads them.
        Mechanics = new SimulatedBarrierMechanics(driver, BarrierOptions, time) { TravelTime = timing.BarrierTravel };
        // Fail-safe wiring, as on hardware (wiring.md): each detector's normally-closed contact holds its
        // pin low while clear and the pull-up raises it when a vehicle is there or the wire is cut.
        var stable = timing.LoopStableTime;
        Loop(false);
        Passage(false);
        PassedLoop(false);
        _loop = new DebouncedInput($"{gate.Id}.loop", DeviceKind.InductionLoop, controller, DebouncedInputOptions.FailSafe(LoopPin, activeLow: false, stable), time, shouldDispose: false);
        _passage = new DebouncedInput($"{gate.Id}.beam", DeviceKind.IrBeam, controller, DebouncedInputOptions.FailSafe(PassagePin, activeLow: false, timing.PassageStableTime ?? stable), time, shouldDispose: false);
        _passedLoop = new DebouncedInput($"{gate.Id}.loop-b", DeviceKind.InductionLoop, controller, DebouncedInputOptions.FailSafe(PassedLoopPin, activeLow: false, stable), time, shouldDispose: false);
        _barrier = new GpioBarrier($"{gate.Id}.barrier", controller, BarrierOptions, time, shouldDispose: false);
        Display = new SimulatedGateDisplay($"{gate.Id}.display", 20, 4);
        Scanner = new SimulatedCodeScanner();
        PermitReader = new SimulatedPermitReader($"{gate.Id}.nfc", permitsByUid, time, timing.PermitPoll);
        if (gate.Direction == GateDirection.Entry)
        {
            Printer = new SimulatedEscPosPrinter();
            _printer = new EscPosTicketPrinter($"{gate.Id}.printer", Printer, new EscPosPrinterOptions(), time, shouldDispose: false);
        }

        Devices = new LaneDevices(_loop, _passage, _barrier, Display, _printer, PermitReader, Scanner, _passedLoop);
    }

    public GateDefinition Gate { get; }

    public LaneDevices Devices { get; }

    public int LoopPin { get; }

    public int PassagePin { get; }

    /// <summary>Loop B, behind the barrier: a vehicle that has passed.</summary>
    public int PassedLoopPin { get; }

    public GpioBarrierOptions BarrierOptions { get; }

    public SimulatedBarrierMechanics Mechanics { get; }

    public SimulatedGateDisplay Display { get; }

    public SimulatedCodeScanner Scanner { get; }

    public SimulatedPermitReader PermitReader { get; }

    /// <summary>The printer end of the entry lane's ticket printer (paper, tickets printed); null at an exit.</summary>
    public SimulatedEscPosPrinter? Printer { get; }

    public IBarrierDriver Barrier => _barrier;

    /// <summary>The lane's stretch of road: one vehicle at the barrier at a time.</summary>
    public SemaphoreSlim Queue { get; } = new(1, 1);

    /// <summary>Vehicles queued at this lane (the traffic generator's drivers drive past a long queue).</summary>
    public int Waiting;

    /// <summary>True while the barrier relay is energised (commanded open); the relay board is active low.</summary>
    public bool RelayOpen => _driver.GetLevel(BarrierOptions.RelayPin) == PinValue.Low;

    /// <summary>A vehicle drives onto (true) or off (false) the loop: the detector's NC contact opens and the pull-up raises the pin.</summary>
    public void Loop(bool occupied) => _driver.SetInput(LoopPin, occupied ? PinValue.High : PinValue.Low);

    /// <summary>A vehicle interrupts (true) or clears (false) the passage beam.</summary>
    public void Passage(bool occupied) => _driver.SetInput(PassagePin, occupied ? PinValue.High : PinValue.Low);

    /// <summary>A vehicle drives onto (true) or off (false) loop B, behind the barrier.</summary>
    public void PassedLoop(bool occupied) => _driver.SetInput(PassedLoopPin, occupied ? PinValue.High : PinValue.Low);

    /// <summary>A cut wire (or an unplugged detector) on <paramref name="pin"/>: nothing drives it, the pull resistor decides.</summary>
    public void CutWire(int pin) => _driver.Disconnect(pin);

    public void Dispose()
    {
        _printer?.Dispose();
        Queue.Dispose();
        _barrier.Dispose();
        _loop.Dispose();
        _passage.Dispose();
        _passedLoop.Dispose();
        Mechanics.Dispose();
    }
}
