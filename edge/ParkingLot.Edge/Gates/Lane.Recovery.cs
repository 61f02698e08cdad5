using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Ledger;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

// Power-on recovery: the lane's last committed step and the sensors as they are now decide how a
// half-finished cycle ends.
internal abstract partial class Lane
{
    /// <summary>
    /// Power-on recovery. The lane row says which step was committed last; the sensors say where
    /// vehicles are now ("the passage" is the beam and, where fitted, loop B). The relay is not
    /// touched before this runs (<see cref="GpioBarrier"/> leaves the line alone until the first
    /// command), so an arm that is up over a vehicle stays up. The rules (each writes
    /// <c>lane.recovered</c> first, then ordinary events; every close waits for a clear passage and
    /// the hold time, as after a passage):
    /// <list type="bullet">
    /// <item><b>idle</b>: nothing, unless the arm is not down: then it is commanded closed (held
    /// open instead while something is in the passage).</item>
    /// <item><b>detected / checked / refused</b> (no admission): the cycle is abandoned
    /// (<c>lane.vehicle-withdrew</c>); a vehicle still on the loop starts a new cycle and is asked again.</item>
    /// <item><b>admitted</b> (barrier never commanded): the admission is voided (the printed ticket is
    /// void); a vehicle on the loop starts a new cycle.</item>
    /// <item><b>open</b> (barrier commanded, no passage seen): a vehicle on the loop or in the
    /// passage resumes the passage (barrier held open); otherwise the cycle is aborted (admission void) and the barrier closed.</item>
    /// <item><b>passing</b> (vehicle was in the passage): still in the passage → resumed; gone →
    /// completed (<c>vehicle.entered</c>/<c>exited</c> recorded), barrier closed (held up while loop B is occupied).</item>
    /// <item><b>passed</b>: barrier closed once the passage is clear (held open while it is not).</item>
    /// </list>
    /// A fault recorded before the power cut keeps the lane out of service until a reset.
    /// </summary>
    protected async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var row = await Ledger.GetLaneAsync(Gate.Id, cancellationToken);
        Fault = row?.Fault;
        Tailgates = row?.Tailgates ?? 0;
        var loop = Devices.Loop.IsActive;
        var beam = Devices.Passage.IsActive;
        var passage = PassageOccupied;
        var position = Devices.Barrier.Position;
        var step = row?.State ?? LaneStep.Idle;
        var previous = LedgerText.Name(step);
        if (row is not null && step != LaneStep.Idle)
        {
            CycleId = row.CycleId;
            TicketId = row.TicketId;
            VehicleType = row.VehicleType;
            Kind = row.CredentialKind ?? CredentialKind.None;
            CredentialId = row.CredentialId;
            Basis = row.Basis;
            Fee = row.Fee;
            TariffVersion = row.TariffVersion;
        }

        var loopB = Devices.PassedLoop is null ? string.Empty : $", loop B {(Devices.PassedLoop.IsActive ? "occupied" : "clear")}";
        var sensors = $"loop {(loop ? "occupied" : "clear")}, passage {(beam ? "occupied" : "clear")}{loopB}, arm {position.ToString().ToLowerInvariant()}";
        switch (step)
        {
            case LaneStep.Detected or LaneStep.Checked or LaneStep.Refused:
                await RecoveredAsync(previous, "cycleAbandoned", $"no admission was recorded; {sensors}", cancellationToken);
                await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, null), cancellationToken);
                await CloseIfNotDownAsync(position, passage, cancellationToken);
                break;
            case LaneStep.Admitted:
                await RecoveredAsync(previous, "admissionVoided", $"the barrier was never commanded open; {sensors}", cancellationToken);
                await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, TicketId), cancellationToken);
                await CloseIfNotDownAsync(position, passage, cancellationToken);
                break;
            case LaneStep.Open when loop || passage:
                await RecoveredAsync(previous, "passageResumed", $"a vehicle is at the open barrier; {sensors}", cancellationToken);
                await HoldOpenAsync("power-on recovery: passage resumed", cancellationToken);
                State = LaneState.Open;
                UnusedAdmission = TicketId;
                if (beam)
                {
                    await AppendAsync(EventTypes.LaneVehiclePassing, new LaneVehiclePassing(Gate.Id, CycleId!, TicketId!), cancellationToken);
                    State = LaneState.Passing;
                }

                break;
            case LaneStep.Open:
                await RecoveredAsync(previous, "aborted", $"no vehicle at the barrier, and none was seen in the passage; {sensors}", cancellationToken);
                await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, TicketId), cancellationToken);
                await CloseOrHoldAsync(passage, "power-on recovery: cycle aborted", cancellationToken);
                break;
            case LaneStep.Passing when beam:
                await RecoveredAsync(previous, "passageResumed", $"the vehicle is still in the passage; {sensors}", cancellationToken);
                await HoldOpenAsync("power-on recovery: passage resumed", cancellationToken);
                State = LaneState.Passing;
                break;
            case LaneStep.Passing:
                await RecoveredAsync(previous, "completed", $"the vehicle was in the passage and has left the beam; {sensors}", cancellationToken);
                await RecordPassageAsync(cancellationToken);
                await CloseOrHoldAsync(passage, "power-on recovery: passage completed", cancellationToken);
                break;
            case LaneStep.Passed when passage:
                await RecoveredAsync(previous, "heldOpen", $"something is in the passage; {sensors}", cancellationToken);
                await HoldOpenAsync("power-on recovery: passage occupied", cancellationToken);
                CloseWhenClear();
                break;
            case LaneStep.Passed:
                await RecoveredAsync(previous, "closed", $"the vehicle had passed; {sensors}", cancellationToken);
                await CloseOrHoldAsync(passage, "power-on recovery: vehicle had passed", cancellationToken);
                break;
            default:
                if (position != BarrierPosition.Closed)
                {
                    await RecoveredAsync(previous, passage ? "heldOpen" : "closed", $"the arm was not down at power-on; {sensors}", cancellationToken);
                    await CloseIfNotDownAsync(position, passage, cancellationToken);
                }

                break;
        }

        if (State == LaneState.Idle)
        {
            await ShowAsync(IdleMessage(), cancellationToken);
            if (Devices.Loop.IsActive)
            {
                Post(new LoopChanged(true));
            }
        }
    }

    private async Task RecoveredAsync(string previous, string resolution, string detail, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.LaneRecovered, new LaneRecovered(Gate.Id, CycleId, previous, resolution, detail), cancellationToken);
        Log.LaneRecovered(Logger, Gate.Id, previous, resolution, detail);
    }

    /// <summary>
    /// Brings the arm down after recovery, never onto something: with the passage occupied the relay
    /// is driven to hold the arm up (recorded first) and the closing rule takes over.
    /// </summary>
    private async Task CloseIfNotDownAsync(BarrierPosition position, bool passage, CancellationToken cancellationToken)
    {
        if (position == BarrierPosition.Closed)
        {
            State = LaneState.Idle;
        }
        else
        {
            await CloseOrHoldAsync(passage, "power-on recovery: arm not down", cancellationToken);
        }
    }

    private async Task CloseOrHoldAsync(bool passage, string reason, CancellationToken cancellationToken)
    {
        if (passage)
        {
            await HoldOpenAsync("power-on recovery: passage occupied", cancellationToken);
            CloseWhenClear();
        }
        else
        {
            await CloseAsync(reason, cancellationToken);
        }
    }
}
