using System.Net;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.PowerCut;
using ParkingLot.Shared;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Kiosk;

/// <summary>
/// The kiosk's coin loop around a payment that does not end in a payment: cancelled, abandoned, or
/// refused by a full disk. The acceptor's inhibit line (a GPIO output on the simulated driver under a
/// real GpioController) is high whenever no payment is under way; coins that still arrive are on
/// record as stray coins, and the next payment works.
/// </summary>
public sealed class CoinLoopTests
{
    private static readonly TimeSpan TwoHours = TimeSpan.FromHours(2);

    [Fact]
    public async Task PayCash_CoinsAfterTheCancel_AreRecordedAsStrayCoinsBehindTheInhibitLineAndTheNextPaymentWorks()
    {
        await using var host = await KioskHost.StartAsync();
        var (ticketId, code) = await host.IssueTicketAsync(TwoHours);
        var inhibitedAtStart = host.Inhibited;

        var first = await StartCashAsync(host, code);
        var inhibitedWhilePaying = host.Inhibited;
        await host.PostAsync($"/kiosk/api/pay/cash/{first}/cancel", new { });
        var inhibitedAfterCancel = host.Inhibited;
        await InsertAsync(host, pulses: 2); // already in the chute when the line went high
        await TestContext.WaitUntilAsync(async () => (await host.StrayCoinsAsync()).Count == 1, TimeSpan.FromSeconds(20), "the late coins to be recorded as stray");

        var (second, due) = await StartCashDueAsync(host, code);
        var inhibitedWhilePayingAgain = host.Inhibited;
        await InsertAsync(host, pulses: (int)(due.Minor / 50));
        await TestContext.WaitUntilAsync(async () => await host.CashStateAsync(second) == "paid", TimeSpan.FromSeconds(20), "the second payment to complete");

        Assert.Equal((true, false, true, false), (inhibitedAtStart, inhibitedWhilePaying, inhibitedAfterCancel, inhibitedWhilePayingAgain));
        var stray = Assert.Single(await host.StrayCoinsAsync());
        Assert.Equal((new Money(100, "EUR"), (string?)null, "kiosk.coins"), (stray.Amount, stray.TicketId, stray.AcceptorId));
        var payment = Assert.Single(await host.PaymentsAsync()); // the late coins paid nothing
        Assert.Equal((ticketId, due), (payment.TicketId, payment.Amount));
        Assert.True(host.Inhibited);
    }

    [Fact]
    public async Task PayCash_NoCoinForTheAbandonTime_IsCancelledAndTheAcceptorInhibited()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        var session = await StartCashAsync(host, code);
        await InsertAsync(host, pulses: 2);
        await TestContext.WaitUntilAsync(async () => (await host.CashAsync(session)).GetProperty("inserted").GetProperty("minor").GetInt64() == 100, TimeSpan.FromSeconds(20), "the coins to be credited");

        host.Kit.Time.Advance(host.Cash.AbandonAfter - TimeSpan.FromSeconds(1));
        var stateBefore = await host.CashStateAsync(session);
        host.Kit.Time.Advance(TimeSpan.FromSeconds(1));
        await TestContext.WaitUntilAsync(async () => await host.CashStateAsync(session) == "cancelled", TimeSpan.FromSeconds(20), "the abandoned payment to be cancelled");

        Assert.Equal("waiting", stateBefore); // the abandon time counts from the last coin, not the start
        Assert.True(host.Inhibited);
        Assert.Equal(new Money(100, "EUR"), Assert.Single(await host.PaymentsAsync()).Amount); // kept as a part payment
    }

    [Fact]
    public async Task PayCash_DiskFullWhenTheCoinsCoverTheFee_FailsKeepsTheCoinsAsStrayAndTheNextPaymentWorks()
    {
        using var directory = new TempDirectory();
        await using var fs = await PowerCutFileSystem.MountAsync(directory.File("disk"), directory.File("mnt"));
        await using var host = await KioskHost.StartAsync(fs.MountPoint);
        var (ticketId, code) = await host.IssueTicketAsync(TwoHours);
        var (first, firstDue) = await StartCashDueAsync(host, code);

        // The SD card fills up while the driver inserts the fee, then one more coin drops in.
        await fs.ToggleDiskFullAsync();
        await InsertAsync(host, pulses: (int)(firstDue.Minor / 50));
        await TestContext.WaitUntilAsync(async () => await host.CashStateAsync(first) == "failed", TimeSpan.FromSeconds(20), "the refused payment to fail");
        var inhibitedAfterFailure = host.Inhibited;
        await InsertAsync(host, pulses: 2);
        await TestContext.WaitUntilAsync(() => Task.FromResult(host.Cash.PendingStrayCoins == 2), TimeSpan.FromSeconds(20), "both amounts to wait for the ledger");
        var recordedWhileFull = (await host.PaymentsAsync()).Count + (await host.StrayCoinsAsync()).Count;

        // Space is back: the kept coins go on record at the next retry, and the ticket can be paid.
        await fs.ToggleDiskFullAsync();
        host.Kit.Time.Advance(TimeSpan.FromSeconds(5));
        await TestContext.WaitUntilAsync(async () => (await host.StrayCoinsAsync()).Count == 2, TimeSpan.FromSeconds(20), "the kept coins to be recorded");
        var (second, due) = await StartCashDueAsync(host, code);
        var inhibitedWhilePayingAgain = host.Inhibited;
        await InsertAsync(host, pulses: (int)(due.Minor / 50));
        await TestContext.WaitUntilAsync(async () => await host.CashStateAsync(second) == "paid", TimeSpan.FromSeconds(20), "the second payment to complete");

        Assert.True(inhibitedAfterFailure);
        Assert.False(inhibitedWhilePayingAgain);
        Assert.Equal(0, recordedWhileFull);
        var strays = await host.StrayCoinsAsync();
        Assert.Equal([(firstDue, ticketId), (new Money(100, "EUR"), null)], strays.Select(s => (s.Amount, s.TicketId)));
        Assert.Contains("could not be recorded", strays[0].Reason, StringComparison.Ordinal);
        var payment = Assert.Single(await host.PaymentsAsync());
        Assert.Equal((ticketId, due), (payment.TicketId, payment.Amount));
        Assert.Equal(0, host.Cash.PendingStrayCoins);
    }

    private static async Task<string> StartCashAsync(KioskHost host, string code) => (await StartCashDueAsync(host, code)).SessionId;

    /// <summary>Starts a cash payment; returns its id and what is due (in whole pulses of 0.50).</summary>
    private static async Task<(string SessionId, Money Due)> StartCashDueAsync(KioskHost host, string code)
    {
        var response = await host.PostAsync("/kiosk/api/pay/cash", new { code });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var view = await KioskHost.JsonAsync(response);
        return (view.GetProperty("sessionId").GetString()!, new Money(view.GetProperty("due").GetProperty("minor").GetInt64(), "EUR"));
    }

    /// <summary>Plays <paramref name="pulses"/> coin pulses and steps the clock past the acceptor's idle time, so they are credited.</summary>
    private static async Task InsertAsync(KioskHost host, int pulses)
    {
        var response = await host.PostAsync("/kiosk/api/simulation/coins", new { pulses });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        host.Kit.Step((pulses * 100) + 1600);
    }
}
