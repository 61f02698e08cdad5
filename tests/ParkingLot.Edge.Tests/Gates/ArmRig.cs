using System.Device.Gpio;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Gpio;
using ParkingLot.Edge.Hardware.Inputs;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>
/// One lane's hardware with loop B, on its own simulated GPIO driver under a real GpioController:
/// debounced arming loop, passage beam and loop B, the GPIO barrier over the simulated arm (which
/// falls when the relay is released and has the controller's own safety input). A rig can be built
/// as a restarted Pi finds the lane: arm up, vehicle in the beam (the level at start counts).
/// </summary>
internal sealed class ArmRig : IDisposable
{
    private const int LoopPin = 4;
    private const int BeamPin = 5;
    private const int LoopBPin = 6;

    private static readonly GpioBarrierOptions BarrierOptions = new() { RelayPin = 7, OpenFeedbackPin = 8, ClosedFeedbackPin = 9 };

    private readonly List<IDisposable> _owned = [];

    public ArmRig(string gateId, TimeProvider time, bool armUp = false, bool loop = false, bool beam = false, bool loopB = false)
    {
        Driver = new SimulatedGpioDriver(time);
        Controller = new GpioController(Driver);
        Loop(loop);
        Beam(beam);
        LoopB(loopB);
        Mechanics = Own(new SimulatedBarrierMechanics(Driver, BarrierOptions, time, startOpen: armUp) { TravelTime = TimeSpan.FromMilliseconds(200) });
        var loopInput = Own(new DebouncedInput($"{gateId}.loop", DeviceKind.InductionLoop, Controller, Input(LoopPin), time, shouldDispose: false));
        var beamInput = Own(new DebouncedInput($"{gateId}.beam", DeviceKind.IrBeam, Controller, Input(BeamPin), time, shouldDispose: false));
        var loopBInput = Own(new DebouncedInput($"{gateId}.loopB", DeviceKind.InductionLoop, Controller, Input(LoopBPin), time, shouldDispose: false));
        Barrier = Own(new GpioBarrier($"{gateId}.barrier", Controller, BarrierOptions, time, shouldDispose: false));
        Display = new SimulatedGateDisplay($"{gateId}.display", 20, 4);
        Devices = new LaneDevices(loopInput, beamInput, Barrier, Display, PassedLoop: loopBInput);
    }

    public SimulatedGpioDriver Driver { get; }

    public GpioController Controller { get; }

    public SimulatedBarrierMechanics Mechanics { get; }

    public GpioBarrier Barrier { get; }

    public SimulatedGateDisplay Display { get; }

    public LaneDevices Devices { get; }

    /// <summary>True while the relay is energised (commanded open); the relay board is active low.</summary>
    public bool RelayOpen => Driver.GetModeOrNull(BarrierOptions.RelayPin) == PinMode.Output && Driver.GetLevel(BarrierOptions.RelayPin) == PinValue.Low;

    public void Loop(bool occupied) => Driver.SetInput(LoopPin, occupied ? PinValue.Low : PinValue.High);

    public void Beam(bool blocked) => Driver.SetInput(BeamPin, blocked ? PinValue.Low : PinValue.High);

    public void LoopB(bool occupied) => Driver.SetInput(LoopBPin, occupied ? PinValue.Low : PinValue.High);

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        Controller.Dispose();
    }

    private static DebouncedInputOptions Input(int pin) => new() { Pin = pin, StableTime = TimeSpan.FromMilliseconds(50) };

    private T Own<T>(T device)
        where T : IDisposable
    {
        _owned.Add(device);
        return device;
    }
}
