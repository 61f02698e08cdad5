using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Payments;

/// <summary>What a ticket owes now; <see cref="Outstanding"/> zero means the exit may open for it.</summary>
/// <param name="Basis"><see cref="LaneDecisions.Free"/>, <see cref="LaneDecisions.Paid"/> (and within grace) or <see cref="LaneDecisions.FeeDue"/>.</param>
/// <param name="Quote">The tariff quote of the stay up to now (I6).</param>
/// <param name="Paid">Everything paid for the ticket so far.</param>
/// <param name="Outstanding">What is still to pay.</param>
internal sealed record TicketPrice(string Basis, FeeQuote Quote, Money Paid, Money Outstanding)
{
    public bool MayLeave => Outstanding.Minor == 0;
}

/// <summary>
/// The exit rule, in one place for the exit lane and whoever takes the money (kiosk, simulator): the
/// fee of the stay by the shared <see cref="TariffEngine"/> (I6) with the demand band of the lot's
/// occupancy; a driver who paid may leave within the tariff's exit grace when the payments cover the
/// stay up to the last payment (priced at the lowest demand band, since the driver paid what the
/// kiosk asked at whatever occupancy it saw); after the grace, whatever the stay has cost since is due.
/// </summary>
internal static class TicketPricing
{
    /// <summary>The price of the stay of <paramref name="ticketId"/> that started at <paramref name="entry"/>, at <paramref name="now"/>, from the ledger's payments and occupancy.</summary>
    public static async Task<TicketPrice> PriceAsync(LedgerStore ledger, LotFile lot, string ticketId, VehicleType vehicleType, DateTimeOffset entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var payments = await ledger.GetTicketPaymentsAsync(ticketId, cancellationToken);
        var occupancy = await OccupancyAsync(ledger, lot, cancellationToken);
        return Price(lot, vehicleType, entry, now, occupancy, payments);
    }

    public static TicketPrice Price(LotFile lot, VehicleType vehicleType, DateTimeOffset entry, DateTimeOffset now, double occupancy, IReadOnlyList<PaymentState> payments)
    {
        var zero = Money.Zero(lot.Tariff.Currency);
        var end = now < entry ? entry : now;
        var quote = TariffEngine.Quote(lot.Tariff, vehicleType, entry, end, occupancy);
        var paid = payments.Aggregate(zero, (sum, p) => sum + p.Amount);
        if (quote.Total.Minor == 0)
        {
            return new TicketPrice(LaneDecisions.Free, quote, paid, zero);
        }

        if (payments.Count > 0)
        {
            var lastPaidAt = payments.Max(p => p.RecordedAt);
            var coveredUpTo = lastPaidAt < entry ? entry : lastPaidAt > end ? end : lastPaidAt;
            var covered = TariffEngine.Quote(lot.Tariff, vehicleType, entry, coveredUpTo).Total.Minor <= paid.Minor;
            if (covered && TariffEngine.IsWithinExitGrace(lot.Tariff, vehicleType, lastPaidAt, now))
            {
                return new TicketPrice(LaneDecisions.Paid, quote, paid, zero);
            }
        }

        var outstanding = quote.Total.Minor - paid.Minor;
        return outstanding <= 0
            ? new TicketPrice(LaneDecisions.Paid, quote, paid, zero)
            : new TicketPrice(LaneDecisions.FeeDue, quote, paid, new Money(outstanding, lot.Tariff.Currency));
    }

    /// <summary>Occupied share of the lot's spots by the sensors (0..1): the demand band's input.</summary>
    public static async Task<double> OccupancyAsync(LedgerStore ledger, LotFile lot, CancellationToken cancellationToken)
    {
        var occupied = (await ledger.GetOccupancyAsync(cancellationToken)).Values.Sum();
        return lot.Spots.Count == 0 ? 0 : (double)occupied / lot.Spots.Count;
    }
}
