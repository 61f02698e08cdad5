using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

// The arm: every command is an event first, then the relay. The closing rule (the passage beam and
// loop B clear for the hold time), reversal (anything entering the passage while the arm closes
// sends it back up at once) and faults (only an arm that does not move is a fault).
internal abstract partial class Lane
{
    private int _barrierCommand;
    private int _safeStateCommand;
    private int _closeCommand;
    private int _holdGeneration;
    private ITimer? _holdTimer;
    private (int Command, Func<BarrierOutcome, CancellationToken, Task> Done)? _awaitingArm;

    /// <summary>True after a technician's <c>gate open</c> until their <c>gate close</c>: the lane does not close the arm by itself.</summary>
    private bool _heldOpen;

    /// <summary>Something is in the passage: the beam is interrupted or a vehicle stands on loop B (past the arm).</summary>
    private bool PassageOccupied => Devices.Passage.IsActive || Devices.PassedLoop is { IsActive: true };

    /// <summary>A close is under way: the arm may be coming down.</summary>
    private bool ArmClosing => _closeCommand != 0 && _closeCommand == _barrierCommand;

    private async Task HoldOpenAsync(string reason, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, true, reason), cancellationToken);
        CommandBarrier(open: true);
    }

    private async Task CloseAsync(string reason, CancellationToken cancellationToken)
    {
        UnusedAdmission = null;
        if (_heldOpen)
        {
            // A technician holds the arm up: the cycle ends, the arm stays where they put it.
            State = LaneState.Idle;
            await ShowAsync(IdleMessage(), cancellationToken);
            return;
        }

        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, false, reason), cancellationToken);
        State = LaneState.Closing;
        CommandBarrier(open: false);
    }

    /// <summary>
    /// The vehicle has passed (or recovery found the arm up over the passage): the arm closes once the
    /// beam and loop B have both been clear for the hold time; the hold starts again at every clear.
    /// </summary>
    private void CloseWhenClear()
    {
        State = LaneState.Passed;
        ArmHold();
    }

    private void ArmHold()
    {
        var generation = ++_holdGeneration;
        _holdTimer?.Dispose();
        _holdTimer = PassageOccupied
            ? null
            : Time.CreateTimer(_ => Post(new ClearHoldElapsed(generation)), null, Context.Options.ClearHold, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The beam or loop B changed: hold, reverse or close (the closing rule, in one place).</summary>
    private async Task PassageSensorChangedAsync(bool active, string cause, CancellationToken cancellationToken)
    {
        if (active && ArmClosing)
        {
            await ReverseAsync(cause, cancellationToken);
            if (cause == "beam" && CycleId is not null && State == LaneState.Passed)
            {
                // Into the beam after the arm started down: a second vehicle on one opening.
                await AppendAsync(EventTypes.LaneTailgate, new LaneTailgate(Gate.Id, CycleId, VehicleType ?? ParkingLot.Shared.Contracts.VehicleType.Car, IsEntry), cancellationToken);
                Tailgates++;
                Log.Tailgate(Logger, Gate.Id, CycleId);
            }

            return;
        }

        if (State == LaneState.Passed)
        {
            // Active: the hold is off (a trailer, the rest of a long vehicle). Clear: it starts again.
            ArmHold();
        }
    }

    private async Task ClearHoldElapsedAsync(ClearHoldElapsed elapsed, CancellationToken cancellationToken)
    {
        if (elapsed.Generation == _holdGeneration && State == LaneState.Passed && !PassageOccupied)
        {
            await CloseAsync($"passage clear for {Context.Options.ClearHold.TotalSeconds:0.###} s", cancellationToken);
        }
    }

    /// <summary>
    /// Sends a closing arm back up: <c>barrier.reversed</c> first, then the relay. Not a fault; the
    /// lane stays in service and closes again once the passage has been clear for the hold time.
    /// </summary>
    private async Task ReverseAsync(string cause, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.BarrierReversed, new BarrierReversed(Gate.Id, CycleId, cause), cancellationToken);
        Log.BarrierReversed(Logger, Gate.Id, cause);
        var closing = _awaitingArm is { } a && a.Command == _closeCommand ? a : ((int Command, Func<BarrierOutcome, CancellationToken, Task> Done)?)null;
        CommandBarrier(open: true);
        if (closing is { } manual)
        {
            // A technician's close sent back up: tell them why.
            _awaitingArm = null;
            await manual.Done(new BarrierOutcome(BarrierResult.Reversed, Devices.Barrier.Position, TimeSpan.Zero, $"reversed: something entered the passage ({cause})"), cancellationToken);
        }

        if (State == LaneState.Closing)
        {
            CloseWhenClear();
        }
    }

    private async Task BarrierDoneAsync(BarrierDone done, CancellationToken cancellationToken)
    {
        var awaiting = _awaitingArm is { } a && a.Command == done.Command ? a : ((int Command, Func<BarrierOutcome, CancellationToken, Task> Done)?)null;
        if (awaiting is not null)
        {
            _awaitingArm = null;
        }

        if (done.Command == _barrierCommand)
        {
            await ArmSettledAsync(done, cancellationToken);
        }

        if (awaiting is { } waiting)
        {
            await waiting.Done(done.Outcome, cancellationToken);
        }
    }

    private async Task ArmSettledAsync(BarrierDone done, CancellationToken cancellationToken)
    {
        if (!done.Open)
        {
            _closeCommand = 0;
        }

        switch (done.Outcome.Result)
        {
            case BarrierResult.Superseded:
                return;
            case BarrierResult.Reached:
                if (!done.Open && State == LaneState.Closing)
                {
                    State = LaneState.Idle;
                    await ShowAsync(IdleMessage(), cancellationToken);
                    if (Devices.Loop.IsActive)
                    {
                        await StartCycleAsync(cancellationToken);
                    }
                }

                return;
            case BarrierResult.Reversed:
                // The barrier controller's own safety input sent the arm back up: the arm works and
                // something was under it. Hold it up ourselves and close again once clear.
                await ReverseAsync("controller", cancellationToken);
                return;
            default:
                break;
        }

        if (done.Command == _safeStateCommand)
        {
            // The arm that just failed did not come down either: already recorded, already out of service.
            return;
        }

        // A stuck arm (or contradictory limit switches). The safe state: the arm commanded down (the
        // relay released; the barrier's own safety inputs keep it off a vehicle), the lane out of
        // service until a technician resets it.
        var position = done.Outcome.Position.ToString().ToLowerInvariant();
        Fault = done.Outcome.Fault ?? $"{(done.Open ? "open" : "closed")} position not reached";
        await AppendAsync(EventTypes.BarrierFault, new BarrierFault(Gate.Id, CycleId, done.Open, position, Fault), cancellationToken);
        Log.BarrierFaulted(Logger, Gate.Id, Fault);
        if (done.Open && !PassageOccupied)
        {
            CommandBarrier(open: false);
            _safeStateCommand = _barrierCommand;
        }

        switch (State)
        {
            case LaneState.Open:
                // The admitted vehicle cannot pass: tell its driver; the admission is void once it withdraws.
                await RefuseOutOfServiceAsync(cancellationToken);
                break;
            case LaneState.Closing or LaneState.Passed:
                State = LaneState.Idle;
                await ShowAsync(IdleMessage(), cancellationToken);
                break;
            default:
                await ShowAsync(IdleMessage(), cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Drives the relay, on the lane's loop and before the first await of the driver, so commands
    /// reach the relay in the order the lane takes its steps; the outcome comes back as an input.
    /// Callers have appended the step's event already.
    /// </summary>
    private int CommandBarrier(bool open)
    {
        var command = ++_barrierCommand;
        if (!open)
        {
            _closeCommand = command;
            _holdGeneration++;
        }

        var token = _stopping.Token;
        Task<BarrierOutcome> move;
        try
        {
            move = open ? Devices.Barrier.OpenAsync(token) : Devices.Barrier.CloseAsync(token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            move = Task.FromException<BarrierOutcome>(e);
        }

        _ = move.ContinueWith(
            t =>
            {
                if (t.IsCanceled || (t.IsFaulted && token.IsCancellationRequested))
                {
                    // Stopping mid-move: recovery on the next start deals with the arm.
                    return;
                }

                Post(new BarrierDone(open, t.IsFaulted
                    ? new BarrierOutcome(BarrierResult.BarrierFault, BarrierPosition.Unknown, TimeSpan.Zero, t.Exception!.GetBaseException().Message)
                    : t.Result, command));
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return command;
    }
}
