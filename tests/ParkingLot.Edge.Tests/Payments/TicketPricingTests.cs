using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Payments;

public sealed class TicketPricingTests
{
    // Test tariff for cars: 1.00 EUR per started 15 minutes, 15 free minutes, 15 minutes exit grace.
    private static readonly LotFile Lot = new LotFileBuilder().Build();
    private static readonly DateTimeOffset Entry = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Price_StayWithinFreeMinutes_IsFreeWithNothingOutstanding()
    {
        var price = TicketPricing.Price(Lot, VehicleType.Car, Entry, Entry.AddMinutes(10), 0, []);

        Assert.Equal((LaneDecisions.Free, 0L), (price.Basis, price.Outstanding.Minor));
        Assert.True(price.MayLeave);
    }

    [Fact]
    public void Price_NothingPaid_OwesTheTariffEngineQuote()
    {
        var exit = Entry.AddHours(2);

        var price = TicketPricing.Price(Lot, VehicleType.Car, Entry, exit, 0, []);

        Assert.Equal(LaneDecisions.FeeDue, price.Basis);
        Assert.Equal(TariffEngine.Quote(Lot.Tariff, VehicleType.Car, Entry, exit).Total, price.Outstanding);
    }

    [Fact]
    public void Price_PaidAndWithinGrace_MayLeaveEvenWhenTheNextIncrementStarted()
    {
        var payments = new[] { Paid(800, Entry.AddHours(2)) };

        var price = TicketPricing.Price(Lot, VehicleType.Car, Entry, Entry.AddHours(2).AddMinutes(10), 0, payments);

        Assert.Equal(LaneDecisions.Paid, price.Basis);
        Assert.True(price.MayLeave);
        Assert.Equal(900, price.Quote.Total.Minor);
    }

    [Fact]
    public void Price_PaidThenStayedPastTheGrace_OwesWhatTheStayCostSince()
    {
        var payments = new[] { Paid(800, Entry.AddHours(2)) };

        var price = TicketPricing.Price(Lot, VehicleType.Car, Entry, Entry.AddHours(2).AddMinutes(16), 0, payments);

        Assert.Equal(LaneDecisions.FeeDue, price.Basis);
        Assert.Equal(new Money(200, "EUR"), price.Outstanding);
        Assert.Equal(new Money(800, "EUR"), price.Paid);
    }

    [Fact]
    public void Price_PartPayment_OwesTheRest()
    {
        var payments = new[] { Paid(200, Entry.AddHours(2)) };

        var price = TicketPricing.Price(Lot, VehicleType.Car, Entry, Entry.AddHours(2), 0, payments);

        Assert.Equal((LaneDecisions.FeeDue, 600L), (price.Basis, price.Outstanding.Minor));
    }

    [Fact]
    public async Task AuthorizeAsync_DeclineNext_DeclinesOnceThenApprovesAgain()
    {
        var terminal = new SimulatedCardTerminal();
        terminal.DeclineNext("card expired");

        var declined = await terminal.AuthorizeAsync(new Money(500, "EUR"), "T1", TestContext.Token);
        var approved = await terminal.AuthorizeAsync(new Money(500, "EUR"), "T1", TestContext.Token);

        Assert.Equal((false, null, "card expired"), (declined.Approved, declined.AuthorizationReference, declined.DeclineReason));
        Assert.True(approved.Approved);
        Assert.Matches("^SIM[0-9A-F]{8}$", approved.AuthorizationReference!);
        Assert.Equal([new Money(500, "EUR")], terminal.Authorized);
    }

    private static PaymentState Paid(long minor, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), "T1", new Money(minor, "EUR"), PaymentMethod.Card, "test-1", at, 1);
}
