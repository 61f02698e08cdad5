using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Payments;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>
/// The exit lane and the kiosk must agree on what a ticket owes, or a driver who paid what the kiosk
/// asked is stuck at the barrier. Both apply the same rule; this keeps them from drifting apart.
/// </summary>
public sealed class ExitPricingTests
{
    [Fact]
    public void Price_RandomStaysAndPayments_LaneAndKioskAgree()
    {
        var lot = new LotFileBuilder().Build();
        var random = new Random(4711);
        var start = new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 2000; i++)
        {
            var type = random.Next(2) == 0 ? VehicleType.Car : VehicleType.Ev;
            var entry = start.AddMinutes(random.Next(0, 600));
            var now = entry.AddMinutes(random.Next(0, 3000));
            var payments = Enumerable.Range(0, random.Next(0, 3))
                .Select(n => new PaymentState($"P{n}", "T1", new Money(random.Next(0, 40) * 50, lot.Currency), PaymentMethod.Card, "test-1", entry.AddMinutes(random.Next(0, 3000)), n))
                .ToList();
            var occupancy = random.NextDouble();

            var lane = ExitPricing.Price(lot, type, entry, now, occupancy, payments);
            var kiosk = TicketPricing.Price(lot, type, entry, now, occupancy, payments);

            Assert.Equal((lane.Basis, lane.Quote.Total, lane.Paid, lane.Outstanding), (kiosk.Basis, kiosk.Quote.Total, kiosk.Paid, kiosk.Outstanding));
        }
    }

    [Fact]
    public void Price_PaidWithinGrace_MayLeave_AfterGrace_OwesTheDifference()
    {
        var lot = new LotFileBuilder().Build();
        var entry = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
        var paidAt = entry.AddHours(2);
        PaymentState[] payments = [new("P1", "T1", new Money(800, lot.Currency), PaymentMethod.Cash, "test-1", paidAt, 1)];

        var within = ExitPricing.Price(lot, VehicleType.Car, entry, paidAt.AddMinutes(15), 0, payments);
        var after = ExitPricing.Price(lot, VehicleType.Car, entry, paidAt.AddMinutes(16), 0, payments);

        Assert.True(within.MayLeave);
        Assert.Equal(LaneDecisions.Paid, within.Basis);
        Assert.False(after.MayLeave);
        // 2 h 16 min has started ten 15-minute increments (10.00 EUR); 8.00 EUR were paid.
        Assert.Equal(new Money(200, lot.Currency), after.Outstanding);
    }
}
