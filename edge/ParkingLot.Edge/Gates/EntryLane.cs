using System.Security.Cryptography;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// The walking-skeleton entry flow: admit while walk-in occupancy is below the walk-in share
/// (invariant I2) → print a signed ticket → open → vehicle enters → close, each step a durable ledger
/// event. One vehicle at a time per lane, as at a real barrier. Issue 3 replaces the trigger (a loop
/// detector on GPIO instead of a call) with a lane state machine; the ledger steps stay.
/// </summary>
internal sealed class EntryLane(
    GateDefinition gate,
    IBarrier barrier,
    LotFile lot,
    LedgerStore ledger,
    TicketSigner signer,
    TimeProvider time,
    ILogger<EntryLane> logger) : IEntryLane, IDisposable
{
    private readonly SemaphoreSlim _lane = new(1, 1);

    public string GateId => gate.Id;

    public async Task<EntryOutcome> AdmitAsync(VehicleType vehicleType, CancellationToken cancellationToken)
    {
        await _lane.WaitAsync(cancellationToken);
        try
        {
            var refusal = await CheckAdmissionAsync(vehicleType, cancellationToken);
            if (refusal is not null)
            {
                Log.EntryRefused(logger, gate.Id, vehicleType, refusal);
                return EntryOutcome.Refused(refusal);
            }

            var ticketId = "T" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
            var issuedAt = time.GetUtcNow();
            var code = signer.Sign(ticketId, vehicleType, issuedAt);
            await ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued(ticketId, gate.Id, vehicleType, issuedAt, code), cancellationToken);
            Log.TicketIssued(logger, ticketId, gate.Id, vehicleType);

            try
            {
                await barrier.OpenAsync(cancellationToken);
            }
            catch (GateFaultException fault)
            {
                await ledger.AppendAsync(EventTypes.GateFault, new GateFault(gate.Id, fault.Device, fault.Fault), cancellationToken);
                return EntryOutcome.Refused($"barrier fault: {fault.Fault}");
            }

            await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(gate.Id, true, $"ticket {ticketId} issued"), cancellationToken);
            await ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered(gate.Id, ticketId, vehicleType, CredentialKind.Ticket, null), cancellationToken);
            await barrier.CloseAsync(cancellationToken);
            await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(gate.Id, false, "vehicle passed"), cancellationToken);
            return new EntryOutcome(true, ticketId, null);
        }
        finally
        {
            _lane.Release();
        }
    }

    public void Dispose() => _lane.Dispose();

    private async Task<string?> CheckAdmissionAsync(VehicleType vehicleType, CancellationToken cancellationToken)
    {
        var share = lot.WalkInShare(vehicleType);
        if (share == 0)
        {
            return $"no walk-in spaces for {LotFileLoader.VehicleTypeName(vehicleType)}";
        }

        var open = await ledger.GetOpenSessionsAsync(cancellationToken);
        var inside = open.Count(s => s.VehicleType == vehicleType);
        return inside >= share ? $"full for walk-in {LotFileLoader.VehicleTypeName(vehicleType)} ({inside}/{share})" : null;
    }
}
