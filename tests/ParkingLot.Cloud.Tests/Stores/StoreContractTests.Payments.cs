using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Payments;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Stores;

/// <summary>The payment facet of the store contract: attempts, webhook outcomes, cancellations and refunds, on both stores.</summary>
public abstract partial class StoreContractTests<TFixture>
{
    private static readonly TimeSpan MaxHold = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task Cancel_Held_NoRefundSpotFreeAndSecondCancelRefused()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 1);
        var held = (await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2))).Booking!;

        var cancelled = await Store.Payments.CancelAsync(held.Id, held.UserId, Now, FullRefund, Guid.CreateVersion7(), TestContext.Token);
        var twice = await Store.Payments.CancelAsync(held.Id, held.UserId, Now, FullRefund, Guid.CreateVersion7(), TestContext.Token);
        var rebooked = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));

        Assert.Equal(CancelStatus.Cancelled, cancelled.Status);
        Assert.Equal((BookingStatus.Cancelled, 0L, 2, (DateTimeOffset?)null), (cancelled.Booking!.Status, cancelled.Booking.RefundMinor, cancelled.Booking.Version, cancelled.Booking.PassRevokedAt));
        Assert.Null(cancelled.Refund);
        Assert.Equal(cancelled.Booking, await Store.Bookings.GetAsync(held.Id, TestContext.Token));
        Assert.Equal(CancelStatus.NotCancellable, twice.Status);
        Assert.Equal(HoldStatus.Held, rebooked.Status);
        Assert.Empty(await Store.Payments.ListRefundsAsync(held.Id, TestContext.Token));
    }

    [Fact]
    public async Task Cancel_OtherUser_NotFoundAndUnchanged()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 1);
        var held = (await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2))).Booking!;

        var result = await Store.Payments.CancelAsync(held.Id, "someone-else", Now, FullRefund, Guid.CreateVersion7(), TestContext.Token);

        Assert.Equal(CancelStatus.NotFound, result.Status);
        Assert.Equal(BookingStatus.Held, (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.Status);
    }

    [Fact]
    public async Task StartPayment_SameKeyTwiceAndWithoutKey_OneAttemptHoldExtendedWithinLimit()
    {
        var held = await HeldBookingAsync();

        var first = await Store.Payments.StartAsync(Start(held, "key-1", Now.AddMinutes(1)), TestContext.Token);
        var replay = await Store.Payments.StartAsync(Start(held, "key-1", Now.AddMinutes(2)), TestContext.Token);
        var joined = await Store.Payments.StartAsync(Start(held, null, Now.AddMinutes(2)), TestContext.Token);

        Assert.Equal((PaymentStartStatus.Started, PaymentStartStatus.Replayed, PaymentStartStatus.Joined), (first.Status, replay.Status, joined.Status));
        Assert.Equal([first.Payment!.Id, first.Payment.Id], new[] { replay.Payment!.Id, joined.Payment!.Id });
        Assert.Equal((1, "key-1", PaymentStatus.Pending, held.Amount), (first.Payment.Attempt, first.Payment.IdempotencyKey, first.Payment.Status, first.Payment.Amount));
        Assert.Single(await Store.Payments.ListPaymentsAsync(held.Id, TestContext.Token));
        // Extended to start + 10 minutes (the request's ExtendHoldTo), within creation + 30 minutes.
        Assert.Equal(Now.AddMinutes(11), (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.ExpiresAt);
    }

    [Fact]
    public async Task StartPayment_ExtensionPastLimit_CappedAtCreationPlusMaxHold()
    {
        var held = await HeldBookingAsync();

        await Store.Payments.StartAsync(Start(held, null, Now.AddMinutes(4)) with { ExtendHoldTo = Now.AddHours(5) }, TestContext.Token);

        Assert.Equal(Now + MaxHold, (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.ExpiresAt);
    }

    [Fact]
    public async Task StartPayment_SameKeyOtherBooking_KeyReusedAndNothingStored()
    {
        var one = await HeldBookingAsync();
        var other = (await HoldAsync(one.LotId, Now.AddHours(3), Now.AddHours(4))).Booking!;
        await Store.Payments.StartAsync(Start(one, "shared-key", Now), TestContext.Token);

        var reused = await Store.Payments.StartAsync(Start(other, "shared-key", Now), TestContext.Token);

        Assert.Equal(PaymentStartStatus.KeyReused, reused.Status);
        Assert.Empty(await Store.Payments.ListPaymentsAsync(other.Id, TestContext.Token));
    }

    [Fact]
    public async Task Succeed_HeldBooking_ConfirmedOnceAndReplayedEventChangesNothing()
    {
        var held = await HeldBookingAsync();
        var intent = await StartWithIntentAsync(held);

        var applied = await Store.Payments.SucceedAsync(intent, null, "evt_1", Now.AddMinutes(1), Guid.CreateVersion7(), TestContext.Token);
        var replayed = await Store.Payments.SucceedAsync(intent, null, "evt_1", Now.AddMinutes(2), Guid.CreateVersion7(), TestContext.Token);
        var duplicate = await Store.Payments.SucceedAsync(intent, null, "evt_2", Now.AddMinutes(2), Guid.CreateVersion7(), TestContext.Token);

        Assert.Equal(
            (PaymentOutcomeStatus.Applied, PaymentOutcomeStatus.AlreadyApplied, PaymentOutcomeStatus.AlreadyApplied),
            (applied.Status, replayed.Status, duplicate.Status));
        var booking = (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!;
        Assert.Equal((BookingStatus.Confirmed, (DateTimeOffset?)null, 3), (booking.Status, booking.ExpiresAt, booking.Version));
        Assert.Equal([(PaymentStatus.Succeeded, (DateTimeOffset?)Now.AddMinutes(1))], (await Store.Payments.ListPaymentsAsync(held.Id, TestContext.Token)).Select(p => (p.Status, p.SucceededAt)));
    }

    [Fact]
    public async Task Succeed_BeforeIntentIdStored_FoundByPaymentIdAndIntentRecorded()
    {
        // Stripe may deliver the webhook before the create call returned and the intent id was stored.
        var held = await HeldBookingAsync();
        var started = await Store.Payments.StartAsync(Start(held, null, Now), TestContext.Token);

        var outcome = await Store.Payments.SucceedAsync("pi_early", started.Payment!.Id, "evt_early", Now, Guid.CreateVersion7(), TestContext.Token);
        await Store.Payments.AttachIntentAsync(started.Payment.Id, "pi_early", TestContext.Token);
        var stranger = await Store.Payments.SucceedAsync("pi_other", started.Payment.Id, "evt_other", Now, Guid.CreateVersion7(), TestContext.Token);

        Assert.Equal(PaymentOutcomeStatus.Applied, outcome.Status);
        Assert.Equal(BookingStatus.Confirmed, (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.Status);
        Assert.Equal([("pi_early", PaymentStatus.Succeeded)], (await Store.Payments.ListPaymentsAsync(held.Id, TestContext.Token)).Select(p => (p.IntentId, p.Status)));
        // Once the attempt has an intent, another intent naming the same payment id finds nothing.
        Assert.Equal(PaymentOutcomeStatus.UnknownIntent, stranger.Status);
    }

    [Fact]
    public async Task Succeed_UnknownIntent_NothingChanged()
    {
        var held = await HeldBookingAsync();
        await StartWithIntentAsync(held);

        var outcome = await Store.Payments.SucceedAsync("pi_nobody", null, "evt_x", Now, Guid.CreateVersion7(), TestContext.Token);

        Assert.Equal(PaymentOutcomeStatus.UnknownIntent, outcome.Status);
        Assert.Equal(BookingStatus.Held, (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.Status);
        Assert.Equal(PaymentStatus.Pending, (await Store.Payments.ListPaymentsAsync(held.Id, TestContext.Token))[0].Status);
    }

    [Fact]
    public async Task Succeed_AfterHoldExpired_BookingStaysExpiredAndFullRefundPending()
    {
        var held = await HeldBookingAsync();
        var intent = await StartWithIntentAsync(held);

        var outcome = await Store.Payments.SucceedAsync(intent, null, "evt_late", Now + MaxHold + TimeSpan.FromMinutes(1), Guid.CreateVersion7(), TestContext.Token);

        Assert.Equal(PaymentOutcomeStatus.RefundDue, outcome.Status);
        Assert.Equal((held.Amount, RefundStatus.Pending), (outcome.Refund!.Amount, outcome.Refund.Status));
        Assert.Equal(BookingStatus.Expired, (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.StatusAt(Now + MaxHold + TimeSpan.FromMinutes(1)));
        Assert.Equal([outcome.Refund.Id], (await Store.Payments.ListPendingRefundsAsync(1000, TestContext.Token)).Where(r => r.BookingId == held.Id).Select(r => r.Id));
    }

    [Fact]
    public async Task Fail_Declined_HoldKeptAndNextStartIsAttemptTwo()
    {
        var held = await HeldBookingAsync();
        var intent = await StartWithIntentAsync(held);

        var failed = await Store.Payments.FailAsync(intent, null, "evt_f", "Your card was declined.", Now.AddMinutes(1), TestContext.Token);
        var next = await Store.Payments.StartAsync(Start(held, "key-2", Now.AddMinutes(2)), TestContext.Token);

        Assert.Equal(PaymentOutcomeStatus.Applied, failed.Status);
        Assert.Equal(BookingStatus.Held, (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!.Status);
        Assert.Equal((PaymentStartStatus.Started, 2), (next.Status, next.Payment!.Attempt));
        Assert.Equal(
            [(1, PaymentStatus.Failed, "Your card was declined."), (2, PaymentStatus.Pending, null)],
            (await Store.Payments.ListPaymentsAsync(held.Id, TestContext.Token)).Select(p => (p.Attempt, p.Status, p.Error)));
    }

    [Theory]
    [InlineData("full", "refunded", 800)]
    [InlineData("half", "refunded", 400)]
    [InlineData("none", "cancelled", 0)]
    public async Task Cancel_Confirmed_RefundByPolicyPassRevokedAndRefundRecorded(string policy, string expectedStatus, long refundMinor)
    {
        var held = await HeldBookingAsync();
        var intent = await StartWithIntentAsync(held);
        await Store.Payments.SucceedAsync(intent, null, $"evt_{Guid.NewGuid():N}", Now, Guid.CreateVersion7(), TestContext.Token);
        var refundId = Guid.CreateVersion7();
        var at = Now.AddMinutes(5);

        var result = await Store.Payments.CancelAsync(
            held.Id, held.UserId, at, (_, paid) => policy switch { "full" => paid, "none" => 0, _ => paid / 2 }, refundId, TestContext.Token);

        Assert.Equal(CancelStatus.Cancelled, result.Status);
        var stored = (await Store.Bookings.GetAsync(held.Id, TestContext.Token))!;
        Assert.Equal((Enum.Parse<BookingStatus>(expectedStatus, ignoreCase: true), refundMinor, (DateTimeOffset?)at), (stored.Status, stored.RefundMinor!.Value, stored.PassRevokedAt));
        var refunds = await Store.Payments.ListRefundsAsync(held.Id, TestContext.Token);
        Assert.Equal(refundMinor == 0 ? [] : [(refundId, refundMinor, RefundStatus.Pending)], refunds.Select(r => (r.Id, r.Amount.Minor, r.Status)));
        if (refundMinor > 0)
        {
            var completed = await Store.Payments.CompleteRefundAsync(refundId, "re_1", succeeded: true, at, TestContext.Token);
            Assert.Equal((RefundStatus.Succeeded, "re_1"), (completed!.Status, completed.GatewayRefundId));
        }
    }

    [Fact]
    public async Task Revenue_SimulatedDayOfBookingsPaymentsCancellationsRefundsAndLoyalty_AddsUpPerLotAndGatewayToTheCent()
    {
        // A seeded day over three lots: holds of random amounts paid through either gateway (with loyalty
        // tier discounts and redeemed points), declined, left to expire, paid too late, cancelled before
        // and after the cut-off, refunds that succeed or fail. The model books every cent itself; the store's revenue must match it exactly, and
        // every booking's own money must match its final state.
        var random = new Random(20301204);
        var lots = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 40));
            await SetShareAsync(lot.LotId, VehicleType.Car, 40);
            lots.Add(lot.LotId);
        }

        var expected = new Dictionary<(string Lot, PaymentGatewayKind Gateway), (long Paid, long Refunded)>();
        void Book(string lot, PaymentGatewayKind gateway, long paid, long refunded)
        {
            var (p, r) = expected.GetValueOrDefault((lot, gateway));
            expected[(lot, gateway)] = (p + paid, r + refunded);
        }

        var bookings = new List<(Booking Booking, long Net)>();
        var (redeemed, discounted) = (0L, 0L);
        for (var n = 0; n < 90; n++)
        {
            var lot = lots[n % 3];
            var at = Now.AddMinutes(n * 10);
            var start = at.AddHours(random.Next(1, 48));
            var amount = new ParkingLot.Shared.Money(random.Next(150, 40000), "EUR");
            var hold = await Store.Bookings.HoldAsync(
                new HoldRequest(Guid.CreateVersion7(), $"driver-{n % 7}-{lots[0]}", lot, VehicleType.Car, null, null, start, start.AddHours(2), amount, "test-1", 100, at, at.AddMinutes(5)),
                TestContext.Token);
            var booking = hold.Booking!;
            var gateway = random.Next(2) == 0 ? PaymentGatewayKind.Stripe : PaymentGatewayKind.Test;
            // Drivers come back (loyalty builds up) and sometimes pay part with points.
            var balance = (await Store.Payments.LoyaltyAsync(booking.UserId, 1, TestContext.Token)).Balance;
            var redeem = random.Next(3) == 0 ? Math.Min(balance, random.Next(0, 60)) : 0;
            var started = await Store.Payments.StartAsync(
                new PaymentStart(Guid.CreateVersion7(), booking.Id, booking.UserId, $"k-{n}", gateway, at, at.AddMinutes(10), MaxHold, redeem), TestContext.Token);
            Assert.Equal(PaymentStartStatus.Started, started.Status);
            // The booking's price = charged + tier discount + points, to the cent.
            Assert.Equal(amount.Minor, started.Payment!.Amount.Minor + started.Payment.TierDiscountMinor + started.Payment.PointsRedeemed);
            amount = started.Payment.Amount;
            (redeemed, discounted) = (redeemed + started.Payment.PointsRedeemed, discounted + started.Payment.TierDiscountMinor);
            var intent = $"pi_day_{n}";
            await Store.Payments.AttachIntentAsync(started.Payment!.Id, intent, TestContext.Token);
            var net = 0L;
            switch (random.Next(6))
            {
                case 0: // declined, then never paid
                    await Store.Payments.FailAsync(intent, null, $"evt_f{n}", "Your card was declined.", at.AddMinutes(1), TestContext.Token);
                    break;
                case 1: // paid after the hold's limit: refunded in full, or that refund failed at the gateway
                    var late = await Store.Payments.SucceedAsync(intent, null, $"evt_s{n}", at + MaxHold + TimeSpan.FromMinutes(1), Guid.CreateVersion7(), TestContext.Token);
                    Assert.Equal(PaymentOutcomeStatus.RefundDue, late.Status);
                    var lateOk = random.Next(4) > 0;
                    await Store.Payments.CompleteRefundAsync(late.Refund!.Id, $"re_l{n}", lateOk, at + MaxHold + TimeSpan.FromMinutes(2), TestContext.Token);
                    Book(lot, gateway, amount.Minor, lateOk ? amount.Minor : 0);
                    net = lateOk ? 0 : amount.Minor;
                    break;
                case 2: // held, never paid
                    break;
                default: // paid, then perhaps cancelled with a refund by policy
                    await Store.Payments.SucceedAsync(intent, null, $"evt_s{n}", at.AddMinutes(1), Guid.CreateVersion7(), TestContext.Token);
                    Book(lot, gateway, amount.Minor, 0);
                    net = amount.Minor;
                    if (random.Next(2) == 0)
                    {
                        var percent = new[] { 0, 50, 100 }[random.Next(3)];
                        var cancel = await Store.Payments.CancelAsync(
                            booking.Id, booking.UserId, at.AddMinutes(2), (_, paid) => paid * percent / 100, Guid.CreateVersion7(), TestContext.Token);
                        if (cancel.Refund is { } refund)
                        {
                            var ok = random.Next(5) > 0;
                            await Store.Payments.CompleteRefundAsync(refund.Id, $"re_{n}", ok, at.AddMinutes(3), TestContext.Token);
                            Book(lot, gateway, 0, ok ? refund.Amount.Minor : 0);
                            net -= ok ? refund.Amount.Minor : 0;
                        }
                    }

                    break;
            }

            bookings.Add((booking, net));
        }

        var revenue = await Store.Payments.RevenueAsync(Now.AddDays(-1), Now.AddDays(2), TestContext.Token);

        Assert.True(redeemed > 0 && discounted > 0, $"the day used loyalty (points redeemed {redeemed}, tier discounts {discounted})");

        Assert.Equal(
            expected.Where(e => e.Value != (0, 0)).OrderBy(e => e.Key.Lot, StringComparer.Ordinal).ThenBy(e => e.Key.Gateway)
                .Select(e => (e.Key.Lot, e.Key.Gateway, "EUR", e.Value.Paid, e.Value.Refunded)),
            revenue.Where(l => lots.Contains(l.LotId)).Select(l => (l.LotId, l.Gateway, l.Currency, l.PaidMinor, l.RefundedMinor)));
        foreach (var (booking, net) in bookings)
        {
            var paid = (await Store.Payments.ListPaymentsAsync(booking.Id, TestContext.Token)).Where(p => p.Status == PaymentStatus.Succeeded).Sum(p => p.Amount.Minor);
            var refunded = (await Store.Payments.ListRefundsAsync(booking.Id, TestContext.Token)).Where(r => r.Status == RefundStatus.Succeeded).Sum(r => r.Amount.Minor);
            Assert.Equal(net, paid - refunded);
        }

        // A window that excludes the day holds none of it.
        Assert.DoesNotContain(await Store.Payments.RevenueAsync(Now.AddDays(3), Now.AddDays(4), TestContext.Token), l => lots.Contains(l.LotId));
    }

    private static long FullRefund(Booking booking, long paid) => paid;

    private async Task<Booking> HeldBookingAsync()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));
        await SetShareAsync(lot.LotId, VehicleType.Car, 2);
        return (await HoldAsync(lot.LotId, Now.AddHours(2), Now.AddHours(3))).Booking!;
    }

    private static PaymentStart Start(Booking booking, string? key, DateTimeOffset at) =>
        new(Guid.CreateVersion7(), booking.Id, booking.UserId, key, PaymentGatewayKind.Stripe, at, at.AddMinutes(10), MaxHold);

    private async Task<string> StartWithIntentAsync(Booking booking)
    {
        var started = await Store.Payments.StartAsync(Start(booking, null, Now), TestContext.Token);
        var intent = $"pi_{Guid.NewGuid():N}";
        await Store.Payments.AttachIntentAsync(started.Payment!.Id, intent, TestContext.Token);
        return intent;
    }
}
