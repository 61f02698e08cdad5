using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Payments;

/// <summary>
/// Prices a ticket with the exit rule (<see cref="TicketPricing"/>, the rule the exit lane applies) and
/// records money taken as <see cref="PaymentRecorded"/> in the ledger. The exit lane learns of a
/// payment from the ledger's payments table, never from a call: the kiosk and the lanes share state,
/// not code paths, so either can restart without the other. One charge decision at a time
/// (<see cref="LockAsync"/>), so two requests for one ticket cannot both take money.
/// </summary>
internal sealed class PaymentRecorder(LedgerStore ledger, LotFile lot, TimeProvider time, ILogger<PaymentRecorder> logger) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>What <paramref name="session"/> owes now, after everything already paid for it.</summary>
    public async Task<TicketPrice> PriceAsync(SessionState session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entry = session.EnteredAt ?? session.IssuedAt ?? now;
        var payments = (await ledger.GetPaymentsAsync(cancellationToken)).Where(p => string.Equals(p.TicketId, session.TicketId, StringComparison.Ordinal)).ToList();
        var occupancy = await TicketPricing.OccupancyAsync(ledger, lot, cancellationToken);
        return TicketPricing.Price(lot, session.VehicleType, entry, now, occupancy, payments);
    }

    /// <summary>Holds every other charge decision until disposed: check the price, take the money, record it, then release.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        return new Release(_oneAtATime);
    }

    /// <summary>Appends the payment durably; returns once committed (the exit lane sees it from then on).</summary>
    public async Task<PaymentRecorded> RecordAsync(string ticketId, Money amount, PaymentMethod method, string tariffVersion, string detail, CancellationToken cancellationToken)
    {
        var payment = new PaymentRecorded(Guid.NewGuid().ToString("N"), ticketId, amount, method, tariffVersion);
        await ledger.AppendAsync(EventTypes.PaymentRecorded, payment, cancellationToken);
        Log.KioskPaymentRecorded(logger, payment.PaymentId, ticketId, amount.ToString(), method, detail);
        return payment;
    }

    /// <summary>Appends coins the kiosk took that no payment took (<see cref="EventTypes.KioskStrayCoins"/>); returns once committed.</summary>
    public async Task RecordStrayCoinsAsync(StrayCoins coins, CancellationToken cancellationToken) =>
        await ledger.AppendAsync(EventTypes.KioskStrayCoins, coins, cancellationToken);

    public void Dispose() => _oneAtATime.Dispose();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
