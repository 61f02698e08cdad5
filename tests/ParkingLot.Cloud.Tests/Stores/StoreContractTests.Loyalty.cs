using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Loyalty;
using ParkingLot.Cloud.Payments;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Stores;

/// <summary>The loyalty facet of the store contract: points earned, redeemed, restored, reversed; tiers; an append-only ledger.</summary>
public abstract partial class StoreContractTests<TFixture>
{
    [Fact]
    public async Task Loyalty_PaidBooking_OnePointPerCurrencyUnitAndBronze()
    {
        var user = NewUser();
        await PaidAsync(user, 1299);

        var account = await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token);

        Assert.Equal((12L, 12L, "bronze"), (account.Balance, account.EarnedPoints, account.Tier.Name));
        Assert.Equal([("earned", 12L)], account.Entries.Select(e => (e.Kind, e.Points)));
    }

    [Fact]
    public async Task Loyalty_RedeemAtPayment_ChargedLessAndDeclineRestoresThePoints()
    {
        var user = NewUser();
        await PaidAsync(user, 5000); // 50 points
        var booking = await HeldAsync(user, 800);

        var started = await Store.Payments.StartAsync(Start(booking, null, Now) with { RedeemPoints = 30 }, TestContext.Token);
        var whileOpen = (await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token)).Balance;
        await Store.Payments.AttachIntentAsync(started.Payment!.Id, "pi_r1", TestContext.Token);
        await Store.Payments.FailAsync("pi_r1", null, "evt_r1", "declined", Now, TestContext.Token);
        var afterDecline = await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token);

        Assert.Equal((770L, 30L, 0L), (started.Payment.Amount.Minor, started.Payment.PointsRedeemed, started.Payment.TierDiscountMinor));
        Assert.Equal(20, whileOpen);
        Assert.Equal(50, afterDecline.Balance);
        Assert.Equal([("earned", 50L), ("redeemed", -30L), ("restored", 30L)], afterDecline.Entries.Select(e => (e.Kind, e.Points)).Order());
    }

    [Fact]
    public async Task Loyalty_RedeemMoreThanBalanceOrLeavingUnderMinimumCharge_PointsUnavailableNothingStored()
    {
        var user = NewUser();
        await PaidAsync(user, 10000); // 100 points
        var booking = await HeldAsync(user, 120);

        var tooMany = await Store.Payments.StartAsync(Start(booking, null, Now) with { RedeemPoints = 101 }, TestContext.Token);
        var belowMinimum = await Store.Payments.StartAsync(Start(booking, null, Now) with { RedeemPoints = 71 }, TestContext.Token);
        var allowed = await Store.Payments.StartAsync(Start(booking, null, Now) with { RedeemPoints = 70 }, TestContext.Token);

        Assert.Equal((PaymentStartStatus.PointsUnavailable, 70L), (tooMany.Status, tooMany.RedeemablePoints));
        Assert.Equal(PaymentStartStatus.PointsUnavailable, belowMinimum.Status);
        Assert.Equal((PaymentStartStatus.Started, LoyaltyRules.MinimumChargeMinor), (allowed.Status, allowed.Payment!.Amount.Minor));
        Assert.Equal(30, (await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token)).Balance);
    }

    [Fact]
    public async Task Loyalty_SilverTier_FivePercentOffTheNextPayment()
    {
        var user = NewUser();
        await PaidAsync(user, 25000); // 250 points: silver
        var booking = await HeldAsync(user, 1000);

        var started = await Store.Payments.StartAsync(Start(booking, null, Now), TestContext.Token);

        Assert.Equal("silver", (await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token)).Tier.Name);
        Assert.Equal((950L, 50L), (started.Payment!.Amount.Minor, started.Payment.TierDiscountMinor));
    }

    [Fact]
    public async Task Loyalty_Refunded_EarnedPointsReversedRedeemedRestored()
    {
        var user = NewUser();
        await PaidAsync(user, 5000); // 50 points
        var booking = await HeldAsync(user, 3000);
        var started = await Store.Payments.StartAsync(Start(booking, null, Now) with { RedeemPoints = 40 }, TestContext.Token);
        await Store.Payments.AttachIntentAsync(started.Payment!.Id, $"pi_{booking.Id:N}", TestContext.Token);
        await Store.Payments.SucceedAsync($"pi_{booking.Id:N}", null, $"evt_{booking.Id:N}", Now, Guid.CreateVersion7(), TestContext.Token);
        var paid = (await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token)).Balance;

        await Store.Payments.CancelAsync(booking.Id, user, Now.AddMinutes(1), (_, p) => p, Guid.CreateVersion7(), TestContext.Token);

        Assert.Equal(50 - 40 + 29, paid); // 2960 charged earns 29
        var account = await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token);
        Assert.Equal((50L, 50L), (account.Balance, account.EarnedPoints));
    }

    [Fact]
    public async Task Loyalty_LedgerRow_CannotBeUpdatedOrDeleted()
    {
        var user = NewUser();
        await PaidAsync(user, 1000);

        var update = await Record.ExceptionAsync(() => Store.ExecuteAsync($"UPDATE loyalty_ledger SET points = 1000 WHERE user_id = '{user}'"));
        var delete = await Record.ExceptionAsync(() => Store.ExecuteAsync($"DELETE FROM loyalty_ledger WHERE user_id = '{user}'"));

        Assert.Contains("append-only", update?.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete?.Message, StringComparison.Ordinal);
        Assert.Equal(10, (await Store.Payments.LoyaltyAsync(user, 10, TestContext.Token)).Balance);
    }

    private static string NewUser() => $"loyal-{Guid.NewGuid():N}";

    private async Task<Booking> HeldAsync(string user, long amountMinor)
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 1);
        var start = Now.AddHours(2);
        return (await Store.Bookings.HoldAsync(
            new HoldRequest(Guid.CreateVersion7(), user, lot.LotId, VehicleType.Car, null, null, start, start.AddHours(1), new Money(amountMinor, "EUR"), "test-1", 100, Now, Now.AddMinutes(5)),
            TestContext.Token)).Booking!;
    }

    private async Task PaidAsync(string user, long amountMinor)
    {
        var booking = await HeldAsync(user, amountMinor);
        var intent = await StartWithIntentAsync(booking);
        Assert.Equal(PaymentOutcomeStatus.Applied, (await Store.Payments.SucceedAsync(intent, null, $"evt_{intent}", Now, Guid.CreateVersion7(), TestContext.Token)).Status);
    }
}
