using ParkingLot.Edge.Gates;

namespace ParkingLot.Edge.Simulation;

/// <summary>
/// A barrier that reaches its position at once and counts its moves. Issue 3's GPIO barrier is
/// simulated through a virtual GPIO controller instead; this twin exists for the skeleton.
/// </summary>
internal sealed class SimulatedBarrier(string gateId) : IBarrier
{
    private int _moves;

    public string GateId { get; } = gateId;

    public bool IsOpen { get; private set; }

    public int Moves => Volatile.Read(ref _moves);

    public Task OpenAsync(CancellationToken cancellationToken) => Move(true, cancellationToken);

    public Task CloseAsync(CancellationToken cancellationToken) => Move(false, cancellationToken);

    private Task Move(bool open, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IsOpen = open;
        Interlocked.Increment(ref _moves);
        return Task.CompletedTask;
    }
}
