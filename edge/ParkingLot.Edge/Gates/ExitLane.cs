using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// The walking-skeleton exit flow: ticket → fee by the shared tariff engine (invariant I6) → payment
/// recorded → open → vehicle exits (with fee and tariff version) → close. The simulated driver pays
/// by card in the lane; kiosk, app and prepaid payment come with the kiosk issue.
/// </summary>
internal sealed class ExitLane(
    GateDefinition gate,
    IBarrier barrier,
    LotFile lot,
    LedgerStore ledger,
    TimeProvider time,
    ILogger<ExitLane> logger) : IExitLane, IDisposable
{
    private readonly SemaphoreSlim _lane = new(1, 1);

    public string GateId => gate.Id;

    public async Task<ExitOutcome> ReleaseAsync(string ticketId, CancellationToken cancellationToken)
    {
        await _lane.WaitAsync(cancellationToken);
        try
        {
            var session = await ledger.GetSessionAsync(ticketId, cancellationToken);
            if (session is null || session.Status == SessionStatus.Closed)
            {
                var reason = session is null ? "unknown ticket" : "ticket already used to exit";
                Log.ExitRefused(logger, gate.Id, ticketId, reason);
                return ExitOutcome.Refused(reason);
            }

            var now = time.GetUtcNow();
            var entry = session.EnteredAt ?? session.IssuedAt ?? now;
            var quote = TariffEngine.Quote(lot.Tariff, session.VehicleType, entry, now < entry ? entry : now, await OccupancyAsync(cancellationToken));
            if (quote.Total.Minor > 0)
            {
                await ledger.AppendAsync(
                    EventTypes.PaymentRecorded,
                    new PaymentRecorded(Guid.NewGuid().ToString("N"), ticketId, quote.Total, PaymentMethod.Card, quote.TariffVersion),
                    cancellationToken);
            }

            try
            {
                await barrier.OpenAsync(cancellationToken);
            }
            catch (GateFaultException fault)
            {
                await ledger.AppendAsync(EventTypes.GateFault, new GateFault(gate.Id, fault.Device, fault.Fault), cancellationToken);
                return ExitOutcome.Refused($"barrier fault: {fault.Fault}");
            }

            await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(gate.Id, true, quote.Total.Minor > 0 ? $"ticket {ticketId} paid" : $"ticket {ticketId} free stay"), cancellationToken);
            await ledger.AppendAsync(EventTypes.VehicleExited, new VehicleExited(gate.Id, ticketId, session.VehicleType, quote.Total, quote.TariffVersion), cancellationToken);
            await barrier.CloseAsync(cancellationToken);
            await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(gate.Id, false, "vehicle passed"), cancellationToken);
            Log.VehicleLeft(logger, ticketId, gate.Id, quote.Total.ToString());
            return new ExitOutcome(true, quote.Total, null);
        }
        finally
        {
            _lane.Release();
        }
    }

    public void Dispose() => _lane.Dispose();

    private async Task<double> OccupancyAsync(CancellationToken cancellationToken)
    {
        var occupied = (await ledger.GetOccupancyAsync(cancellationToken)).Values.Sum();
        return lot.Spots.Count == 0 ? 0 : (double)occupied / lot.Spots.Count;
    }
}
