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
