using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

// A technician's gate commands and the self-test's arm cycle. They are lane inputs like any other,
// so they take their turn with the vehicle steps, write barrier.moved before the relay moves, and
// go through the same interlock: the lane never closes on something in the passage.
internal abstract partial class Lane
{
    /// <summary>
    /// <c>parkctl gate open/close</c>: opens (and holds the arm up until a manual close) or closes
    /// the arm through the lane. A close with something in the passage (beam or loop B), or while a
    /// vehicle is being let through, is refused and the relay does not move.
    /// </summary>
    public Task<ManualGateResult> CommandGateAsync(bool open, string actor, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<ManualGateResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new ManualGateRequested(open, actor, done));
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The self-test's arm cycle (open, then close), only while the lane is idle and the passage clear.</summary>
    public Task<SelfTestCycle> CycleArmAsync(string actor, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<SelfTestCycle>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new SelfTestRequested(actor, done));
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Why the arm may not be closed now, or null when it may.</summary>
    private string? CloseInterlock() =>
        PassageOccupied
            ? $"refused: something is in the passage ({(Devices.Passage.IsActive ? "beam interrupted" : "vehicle on loop B")}); the arm stays up. Close again when the passage is clear"
            : State is LaneState.Open or LaneState.Passing or LaneState.Passed
                ? $"refused: a vehicle is being let through (lane {State.ToString().ToLowerInvariant()}); the lane closes the arm itself once it has passed"
                : null;

    private async Task ManualGateAsync(ManualGateRequested request, CancellationToken cancellationToken)
    {
        if (request.Open)
        {
            await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, true, $"manual: {request.Actor}"), cancellationToken);
            _heldOpen = true;
            if (State == LaneState.Closing)
            {
                State = LaneState.Idle;
            }

            AwaitArm(CommandBarrier(open: true), (outcome, _) => Complete(request, outcome));
            return;
        }

        if (CloseInterlock() is { } refusal)
        {
            // The refusal is the technician's to read; the control API records it (the relay never moved).
            request.Done.TrySetResult(new ManualGateResult(null, refusal));
            return;
        }

        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, false, $"manual: {request.Actor}"), cancellationToken);
        _heldOpen = false;
        if (State == LaneState.Idle)
        {
            State = LaneState.Closing;
        }

        AwaitArm(CommandBarrier(open: false), (outcome, _) => Complete(request, outcome));
    }

    private async Task SelfTestCycleAsync(SelfTestRequested request, CancellationToken cancellationToken)
    {
        if (State != LaneState.Idle || Devices.Loop.IsActive || PassageOccupied || _heldOpen)
        {
            var why = _heldOpen ? "the arm is held open by hand (gate close first)" : $"the lane is busy ({State.ToString().ToLowerInvariant()}), a vehicle may be under the arm";
            request.Done.TrySetResult(new SelfTestCycle(null, null, why));
            return;
        }

        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, true, $"self-test: {request.Actor}"), cancellationToken);
        State = LaneState.Passed;
        AwaitArm(CommandBarrier(open: true), async (opened, ct) =>
        {
            if (Fault is not null && !opened.Reached)
            {
                // The open failed: the fault path has recorded it and commanded the arm down.
                request.Done.TrySetResult(new SelfTestCycle(opened, null, null));
                return;
            }

            if (CloseInterlock() is { } refusal && PassageOccupied)
            {
                // Something drove in while the arm was up: the lane closes it once clear, as after a passage.
                CloseWhenClear();
                request.Done.TrySetResult(new SelfTestCycle(opened, null, refusal));
                return;
            }

            await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, false, $"self-test: {request.Actor}"), ct);
            State = LaneState.Closing;
            AwaitArm(CommandBarrier(open: false), (closed, _) =>
            {
                request.Done.TrySetResult(new SelfTestCycle(opened, closed, null));
                return Task.CompletedTask;
            });
        });
    }

    private void AwaitArm(int command, Func<BarrierOutcome, CancellationToken, Task> done) => _awaitingArm = (command, done);

    private static Task Complete(ManualGateRequested request, BarrierOutcome outcome)
    {
        request.Done.TrySetResult(new ManualGateResult(outcome, null));
        return Task.CompletedTask;
    }
}
