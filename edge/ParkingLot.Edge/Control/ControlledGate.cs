using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Control;

/// <summary>
/// A gate's drivers as the control API commands and reads them: the devices of the gate's
/// <see cref="Gates.Lane"/> when lanes run (<see cref="ControlExtensions.AddControl"/> adapts each), or
/// none (listed, but a gate with no barrier driver cannot be commanded). <see cref="Commands"/> serialises manual
/// commands and self-tests on the gate, so two technicians cannot interleave moves.
/// </summary>
internal sealed class ControlledGate(
    GateDefinition gate,
    IBarrierDriver? barrier,
    IDigitalInput? loop = null,
    IDigitalInput? passage = null,
    ITicketPrinter? printer = null,
    IReadOnlyList<IReportsHealth>? otherDevices = null,
    Lane? lane = null) : IDisposable
{
    /// <summary>Adapts a running lane: its barrier, loop, beam and printer, plus its display and NFC reader for health.</summary>
    public static ControlledGate Of(Lane lane, GateDefinition gate) => new(
        gate,
        lane.Devices.Barrier,
        lane.Devices.Loop,
        lane.Devices.Passage,
        lane.Devices.Printer,
        [.. new IReportsHealth?[] { lane.Devices.Display, lane.Devices.PermitReader }.OfType<IReportsHealth>()],
        lane);

    /// <summary>The lane state machine on this gate, when lanes run.</summary>
    public Lane? Lane { get; } = lane;

    public GateDefinition Gate { get; } = gate;

    public string GateId => Gate.Id;

    public IBarrierDriver? Barrier { get; } = barrier;

    public IDigitalInput? Loop { get; } = loop;

    public IDigitalInput? Passage { get; } = passage;

    public ITicketPrinter? Printer { get; } = printer;

    /// <summary>Every device of the gate that reports health (barrier, inputs, printer, display, reader).</summary>
    public IReadOnlyList<IReportsHealth> Devices { get; } =
        [.. new IReportsHealth?[] { barrier, loop, passage, printer }.OfType<IReportsHealth>(), .. otherDevices ?? []];

    public SemaphoreSlim Commands { get; } = new(1, 1);

    /// <summary>True after a manual open until the next manual close (the arm is held up on purpose).</summary>
    public bool HeldOpen { get; set; }

    /// <summary>The last manual command, e.g. "open by alex: loop replaced" (for parkctl gates).</summary>
    public string? LastCommand { get; set; }

    public void Dispose() => Commands.Dispose();
}
