using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;

namespace ParkingLot.Edge.Simulation;

/// <summary>How a simulated visit to a lane ended.</summary>
/// <param name="Passed">The vehicle went through.</param>
/// <param name="Snapshot">The lane as the vehicle left it (ticket id, refusal reason, fee due …).</param>
internal sealed record LaneVisit(bool Passed, LaneSnapshot Snapshot);

/// <summary>
/// A driver at a simulated lane, acting only through the world (loop and beam GPIOs, scanner, card
/// reader, buttons) and watching only what a driver sees (the lane's display and decisions, the arm).
/// One vehicle at a lane at a time: the others queue behind it. <paramref name="pause"/> waits a
/// stretch of scenario time (compressed in the traffic generator, on a fake clock in tests);
/// <paramref name="settle"/> on <paramref name="time"/> is long enough for a sensor edge to pass the
/// debounce, whatever the compression: a car takes longer than a contact bounce to cross a loop.
/// </summary>
internal sealed class SimulatedDriver(TimeProvider time, Func<TimeSpan, CancellationToken, Task> pause, TimeSpan settle)
{
    // How often a waiting driver looks at the arm: real (or fake) time, never compressed to nothing.
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Drives onto the loop, presents with <paramref name="present"/> once the lane asks, and drives
    /// through when the arm is up; backs away when refused (after <paramref name="onRefused"/> had its
    /// chance to fix it, e.g. by paying: return true to wait for the lane again).
    /// </summary>
    public async Task<LaneVisit> VisitAsync(
        SimulatedLaneRig rig,
        Lane lane,
        Action<Lane> present,
        Func<LaneSnapshot, CancellationToken, Task<bool>>? onRefused,
        CancellationToken cancellationToken,
        bool tailgater = false)
    {
        await rig.Queue.WaitAsync(cancellationToken);
        try
        {
            var before = lane.Snapshot.CycleId;
            rig.Loop(true);
            var snapshot = await lane.WaitForAsync(s => s.CycleId != before && s.State is LaneState.AwaitingCredential or LaneState.Refused or LaneState.Open, cancellationToken);
            var cycle = snapshot.CycleId;
            if (snapshot.State == LaneState.AwaitingCredential)
            {
                present(lane);
                snapshot = await lane.WaitForAsync(s => s.CycleId != cycle || s.State is LaneState.Refused or LaneState.Open, cancellationToken);
            }

            while (snapshot.State == LaneState.Refused && onRefused is not null && await onRefused(snapshot, cancellationToken))
            {
                var refusedAt = snapshot;
                snapshot = await lane.WaitForAsync(s => s != refusedAt && (s.CycleId != cycle || s.State is LaneState.Open || (s.State == LaneState.Refused && s.LastDetail != refusedAt.LastDetail)), cancellationToken);
            }

            if (snapshot.State != LaneState.Open)
            {
                rig.Loop(false);
                await lane.WaitForAsync(s => s.CycleId != cycle || s.State != LaneState.Refused, cancellationToken);
                return new LaneVisit(false, snapshot);
            }

            // Wait for the arm (or a fault that turns us away).
            while (rig.Barrier.Position != BarrierPosition.Open)
            {
                var now = lane.Snapshot;
                if (now.CycleId == cycle && now.State == LaneState.Refused)
                {
                    rig.Loop(false);
                    await lane.WaitForAsync(s => s.CycleId != cycle || s.State != LaneState.Refused, cancellationToken);
                    return new LaneVisit(false, now);
                }

                await Task.Delay(Step, time, cancellationToken);
            }

            var admitted = lane.Snapshot;
            await DriveThroughAsync(rig, cancellationToken);
            if (tailgater)
            {
                // A second car on the first one's bumper: into the beam before the arm is down.
                await lane.WaitForAsync(s => s.CycleId != cycle || s.State is LaneState.Closing or LaneState.Idle, cancellationToken);
                await DriveThroughAsync(rig, cancellationToken);
            }

            var done = await lane.WaitForAsync(s => s.CycleId != cycle || s.State is LaneState.Closing or LaneState.Idle, cancellationToken);
            return new LaneVisit(true, admitted with { State = done.State, Tailgates = done.Tailgates });
        }
        finally
        {
            rig.Queue.Release();
        }
    }

    private async Task DriveThroughAsync(SimulatedLaneRig rig, CancellationToken cancellationToken)
    {
        // Front into the beam, rear off loop A and front onto loop B, then out of the beam and off
        // loop B together (a short car): the order a real car makes, with no extra step, so a lane
        // that closes only once the beam and loop B are both clear keeps the flow it had.
        rig.Passage(true);
        await pause(TimeSpan.FromSeconds(1), cancellationToken);
        await Task.Delay(settle, time, cancellationToken);
        rig.Loop(false);
        rig.PassedLoop(true);
        await pause(TimeSpan.FromSeconds(1), cancellationToken);
        await Task.Delay(settle, time, cancellationToken);
        rig.PassedLoop(false);
        rig.Passage(false);
    }
}
