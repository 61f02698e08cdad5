using System.Net;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Kiosk;

public sealed class KioskApiTests
{
    private static readonly TimeSpan TwoHours = TimeSpan.FromHours(2);

    [Fact]
    public async Task GetRoot_Page_ReturnsTheHtmlWithTheTicketFormAndItsOwnScript()
    {
        await using var host = await KioskHost.StartAsync();

        var response = await host.Http.GetAsync(new Uri("/", UriKind.Relative), TestContext.Token);
        var html = await response.Content.ReadAsStringAsync(TestContext.Token);
        var script = await host.Http.GetAsync(new Uri("/kiosk.js", UriKind.Relative), TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<form id=\"ticket-form\"", html, StringComparison.Ordinal);
        Assert.Contains("<input id=\"code\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/kiosk/api", await script.Content.ReadAsStringAsync(TestContext.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupTicket_IssuedTwoHoursAgo_ShowsTheFeeOfTheTariffEngineWithItsLines()
    {
        await using var host = await KioskHost.StartAsync();
        var (ticketId, code) = await host.IssueTicketAsync(TwoHours);
        var session = await host.Ledger.GetSessionAsync(ticketId, TestContext.Token);
        var expected = TariffEngine.Quote(host.Lot.Tariff, VehicleType.Car, session!.EnteredAt!.Value, host.Kit.Time.GetUtcNow());

        var response = await host.PostAsync("/kiosk/api/tickets/lookup", new { code });
        var ticket = await KioskHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ticketId, ticket.GetProperty("ticketId").GetString());
        Assert.Equal("feeDue", ticket.GetProperty("basis").GetString());
        Assert.True(ticket.GetProperty("canPay").GetBoolean());
        Assert.Equal(expected.Total.Minor, ticket.GetProperty("due").GetProperty("minor").GetInt64());
        Assert.Equal(800, expected.Total.Minor);
        Assert.Equal(expected.TariffVersion, ticket.GetProperty("quote").GetProperty("tariffVersion").GetString());
        Assert.Equal(
            expected.Lines.Select(l => (l.Description, l.Amount.Minor)),
            ticket.GetProperty("quote").GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("description").GetString()!, l.GetProperty("amount").GetProperty("minor").GetInt64())));
    }

    public static TheoryData<string, string> BadCodes => new()
    {
        { "", "No ticket code" },
        { "hello", "Ticket refused" },
        { "PL1.AAAA.BBBB", "Ticket refused" },
    };

    [Theory]
    [MemberData(nameof(BadCodes))]
    public async Task LookupTicket_UnreadableCode_Is400AndChangesNothing(string code, string title)
    {
        await using var host = await KioskHost.StartAsync();
        await host.IssueTicketAsync(TwoHours);
        var lastSeq = host.Ledger.LastSeq;

        var response = await host.PostAsync("/kiosk/api/pay/card", new { code });
        var problem = await KioskHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(lastSeq, host.Ledger.LastSeq);
        Assert.Empty(host.Terminal.Authorized);
    }

    [Fact]
    public async Task PayByCard_ForgedCode_Is400WithTheVerifierReasonAndChargesNothing()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        var signature = code.LastIndexOf('.') + 1;
        var forged = code[..signature] + (code[signature] == 'A' ? 'B' : 'A') + code[(signature + 1)..];
        var lastSeq = host.Ledger.LastSeq;

        var response = await host.PostAsync("/kiosk/api/pay/card", new { code = forged });
        var problem = await KioskHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Code is forged or altered.", problem.GetProperty("detail").GetString());
        Assert.Equal(lastSeq, host.Ledger.LastSeq);
        Assert.Empty(host.Terminal.Authorized);
        Assert.Empty(host.Printer.Tickets);
    }

    [Fact]
    public async Task LookupTicket_GenuineCodeNotInTheLedger_Is404()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        await using var other = await KioskHost.StartAsync();

        // A genuine code signed with the other kiosk's key is unknown here; one signed with this key
        // but never recorded in this ledger is the 404 case.
        var foreign = await other.PostAsync("/kiosk/api/tickets/lookup", new { code });
        var session = await host.Ledger.GetSessionAsync("nothing", TestContext.Token);
        var unknown = await host.PostAsync("/kiosk/api/tickets/lookup", new { code = host.SignUnrecordedTicket() });

        Assert.Null(session);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Unknown ticket", (await KioskHost.JsonAsync(unknown)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task PayByCard_Approved_RecordsThePaymentAndPrintsAReceiptWithTheAmount()
    {
        await using var host = await KioskHost.StartAsync();
        var (ticketId, code) = await host.IssueTicketAsync(TwoHours);

        var response = await host.PostAsync("/kiosk/api/pay/card", new { code });
        var paid = await KioskHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payment = Assert.Single(await host.PaymentsAsync());
        Assert.Equal((ticketId, new Money(800, "EUR"), PaymentMethod.Card, "test-1"), (payment.TicketId, payment.Amount, payment.Method, payment.TariffVersion));
        Assert.Equal(payment.PaymentId, paid.GetProperty("paymentId").GetString());
        Assert.StartsWith("SIM", paid.GetProperty("authorizationReference").GetString(), StringComparison.Ordinal);
        Assert.True(paid.GetProperty("receiptPrinted").GetBoolean());
        var receipt = Assert.Single(host.Printer.Tickets);
        Assert.Contains(receipt.Lines, l => l.StartsWith("PAID BY CARD", StringComparison.Ordinal) && l.EndsWith("8.00 EUR", StringComparison.Ordinal));
        Assert.Contains(receipt.Lines, l => l.Contains(ticketId, StringComparison.Ordinal));
        Assert.Equal("PLR1:" + payment.PaymentId, Assert.Single(receipt.QrCodes));
        Assert.Equal([new Money(800, "EUR")], host.Terminal.Authorized);
    }

    [Fact]
    public async Task PayByCard_Declined_Is402AndRecordsNothing()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        var lastSeq = host.Ledger.LastSeq;
        var decline = await host.PostAsync("/kiosk/api/simulation/card/decline-next", new { reason = "insufficient funds" });

        var response = await host.PostAsync("/kiosk/api/pay/card", new { code });
        var problem = await KioskHost.JsonAsync(response);

        Assert.Equal(HttpStatusCode.NoContent, decline.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("insufficient funds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(lastSeq, host.Ledger.LastSeq);
        Assert.Empty(await host.PaymentsAsync());
        Assert.Empty(host.Printer.Tickets);
    }

    [Fact]
    public async Task PayByCard_Twice_SecondIs409AndChargesNothingMore()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        var first = await host.PostAsync("/kiosk/api/pay/card", new { code });
        var lastSeq = host.Ledger.LastSeq;

        var second = await host.PostAsync("/kiosk/api/pay/card", new { code });
        var cash = await host.PostAsync("/kiosk/api/pay/cash", new { code });
        var lookup = await KioskHost.JsonAsync(await host.PostAsync("/kiosk/api/tickets/lookup", new { code }));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("Already paid", (await KioskHost.JsonAsync(second)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Conflict, cash.StatusCode);
        Assert.Equal(lastSeq, host.Ledger.LastSeq);
        Assert.Single(host.Terminal.Authorized);
        Assert.Equal("paid", lookup.GetProperty("basis").GetString());
        Assert.False(lookup.GetProperty("canPay").GetBoolean());
    }

    [Fact]
    public async Task LookupTicket_PaidThenStayedPastTheGrace_ShowsWhatTheStayCostSince()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        await host.PostAsync("/kiosk/api/pay/card", new { code });

        host.Kit.Time.Advance(TimeSpan.FromMinutes(30));
        var ticket = await KioskHost.JsonAsync(await host.PostAsync("/kiosk/api/tickets/lookup", new { code }));

        Assert.Equal("feeDue", ticket.GetProperty("basis").GetString());
        Assert.Equal(800, ticket.GetProperty("paid").GetProperty("minor").GetInt64());
        Assert.Equal(1000 - 800, ticket.GetProperty("due").GetProperty("minor").GetInt64());
    }

    [Fact]
    public async Task PayByCard_StayWithinTheFreeMinutes_Is409NothingToPay()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TimeSpan.FromMinutes(10));

        var response = await host.PostAsync("/kiosk/api/pay/card", new { code });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Nothing to pay", (await KioskHost.JsonAsync(response)).GetProperty("title").GetString());
        Assert.Empty(await host.PaymentsAsync());
    }

    [Fact]
    public async Task PayCash_PulsesBeyondTheFee_RecordsTheCashTakenWithTheOverpayAndPrintsAReceipt()
    {
        await using var host = await KioskHost.StartAsync();
        var (ticketId, code) = await host.IssueTicketAsync(TwoHours);

        var start = await host.PostAsync("/kiosk/api/pay/cash", new { code });
        var session = await KioskHost.JsonAsync(start);
        var sessionId = session.GetProperty("sessionId").GetString();
        var coins = await host.PostAsync("/kiosk/api/simulation/coins", new { pulses = 17 });
        host.Kit.Step(17 * 100 + 1600);
        await TestContext.WaitUntilAsync(async () => (await host.CashStateAsync(sessionId!)) == "paid", TimeSpan.FromSeconds(20), "the cash payment to complete");
        var done = await host.CashAsync(sessionId!);

        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal(800, session.GetProperty("due").GetProperty("minor").GetInt64());
        Assert.Equal(HttpStatusCode.Accepted, coins.StatusCode);
        var payment = Assert.Single(await host.PaymentsAsync());
        Assert.Equal((ticketId, new Money(850, "EUR"), PaymentMethod.Cash), (payment.TicketId, payment.Amount, payment.Method));
        Assert.Equal(50, done.GetProperty("overpaid").GetProperty("minor").GetInt64());
        Assert.Equal(payment.PaymentId, done.GetProperty("paymentId").GetString());
        var receipt = Assert.Single(host.Printer.Tickets);
        Assert.Contains(receipt.Lines, l => l.StartsWith("PAID IN CASH", StringComparison.Ordinal) && l.EndsWith("8.50 EUR", StringComparison.Ordinal));
        Assert.Contains(receipt.Lines, l => l.StartsWith("Overpaid", StringComparison.Ordinal) && l.EndsWith("0.50 EUR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PayCash_CancelledAfterSomeCoins_RecordsThemAsAPartPaymentAndTheRestStaysDue()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, code) = await host.IssueTicketAsync(TwoHours);
        var session = await KioskHost.JsonAsync(await host.PostAsync("/kiosk/api/pay/cash", new { code }));
        var sessionId = session.GetProperty("sessionId").GetString()!;
        await host.PostAsync("/kiosk/api/simulation/coins", new { pulses = 4 });
        host.Kit.Step(4 * 100 + 1600);
        await TestContext.WaitUntilAsync(
            async () => (await host.CashAsync(sessionId)).GetProperty("inserted").GetProperty("minor").GetInt64() == 200,
            TimeSpan.FromSeconds(20),
            "the coins to be credited");

        var cancel = await KioskHost.JsonAsync(await host.PostAsync($"/kiosk/api/pay/cash/{sessionId}/cancel", new { }));
        var ticket = await KioskHost.JsonAsync(await host.PostAsync("/kiosk/api/tickets/lookup", new { code }));

        Assert.Equal("cancelled", cancel.GetProperty("state").GetString());
        Assert.Equal(new Money(200, "EUR"), Assert.Single(await host.PaymentsAsync()).Amount);
        Assert.Equal(200, ticket.GetProperty("paid").GetProperty("minor").GetInt64());
        Assert.Equal(ticket.GetProperty("quote").GetProperty("total").GetProperty("minor").GetInt64() - 200, ticket.GetProperty("due").GetProperty("minor").GetInt64());
        Assert.Contains(Assert.Single(host.Printer.Tickets).Lines, l => l.Contains("PART PAYMENT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PayCash_SecondTicketWhileOneIsUnderWay_Is409()
    {
        await using var host = await KioskHost.StartAsync();
        var (_, first) = await host.IssueTicketAsync(TwoHours);
        var (_, second) = await host.IssueTicketAsync(TwoHours);

        var started = await host.PostAsync("/kiosk/api/pay/cash", new { code = first });
        var busy = await host.PostAsync("/kiosk/api/pay/cash", new { code = second });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal("Kiosk busy", (await KioskHost.JsonAsync(busy)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task QuoteLostTicket_ByVehicleType_IsTheLostTicketFeeAndAnUnknownTypeIs400()
    {
        await using var host = await KioskHost.StartAsync();

        var quote = await KioskHost.JsonAsync(await host.PostAsync("/kiosk/api/lost-ticket/quote", new { vehicleType = "ev" }));
        var bad = await host.PostAsync("/kiosk/api/lost-ticket/quote", new { vehicleType = "bus" });

        Assert.Equal(3000, quote.GetProperty("total").GetProperty("minor").GetInt64());
        Assert.Equal("ev", quote.GetProperty("vehicleType").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task GetCash_UnknownSession_Is404()
    {
        await using var host = await KioskHost.StartAsync();

        var response = await host.Http.GetAsync(new Uri("/kiosk/api/pay/cash/C000000000000", UriKind.Relative), TestContext.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
