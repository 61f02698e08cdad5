using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Edge.Payments;

namespace ParkingLot.Edge.Kiosk;

/// <summary>
/// The kiosk page's JSON endpoints under /kiosk/api. Ticket codes travel in POST bodies, not URLs, so
/// no access log ever holds one. Every refusal is an RFC 7807 problem (400 bad or forged code, 404
/// unknown ticket, 409 already paid or used, 402 card declined, 503 device missing) and changes nothing.
/// </summary>
internal static class KioskApi
{
    public static RouteGroupBuilder MapKioskApi(this IEndpointRouteBuilder app, KioskSimulation? simulation)
    {
        var api = app.MapGroup("/kiosk/api");
        api.MapGet("/info", (KioskService kiosk, CashDesk cash, ReceiptPrinter receipts, Lots.LotFile lot) => GetInfo(kiosk, cash, receipts, lot, simulation));
        api.MapPost("/tickets/lookup", LookupTicketAsync);
        api.MapPost("/tickets/quote", QuoteTicketAsync);
        api.MapPost("/lost-ticket/quote", QuoteLostTicket);
        api.MapPost("/pay/card", PayByCardAsync);
        api.MapPost("/pay/cash", StartCashAsync);
        api.MapGet("/pay/cash/{sessionId}", GetCash);
        api.MapPost("/pay/cash/{sessionId}/cancel", CancelCashAsync);
        if (simulation is not null)
        {
            // Simulated hardware only: drive the coin line through the real GPIO path and the terminal.
            api.MapPost("/simulation/coins", (CoinRequest request) => InsertCoins(simulation, request));
            api.MapPost("/simulation/card/decline-next", (DeclineRequest request) => DeclineNext(simulation, request));
        }

        return api;
    }

    public static Ok<KioskInfoView> GetInfo(KioskService kiosk, CashDesk cash, ReceiptPrinter receipts, Lots.LotFile lot, KioskSimulation? simulation) =>
        TypedResults.Ok(new KioskInfoView(
            lot.LotId,
            lot.Name,
            lot.Currency,
            cash.Available,
            kiosk.CardAvailable,
            receipts.Available,
            simulation is not null,
            [.. lot.Tariff.VehicleTypes.Keys.Order().Select(Lots.LotFileLoader.VehicleTypeName)]));

    public static async Task<Results<Ok<TicketView>, ProblemHttpResult>> LookupTicketAsync(CodeRequest request, KioskService kiosk, CancellationToken cancellationToken)
    {
        var (ticket, problem) = await kiosk.LookupAsync(request.Code, cancellationToken);
        return ticket is null ? Problem(problem!) : TypedResults.Ok(kiosk.View(ticket));
    }

    public static async Task<Results<Ok<QuoteView>, ProblemHttpResult>> QuoteTicketAsync(CodeRequest request, KioskService kiosk, CancellationToken cancellationToken)
    {
        var (ticket, problem) = await kiosk.LookupAsync(request.Code, cancellationToken);
        return ticket is null ? Problem(problem!) : TypedResults.Ok(QuoteView.Of(ticket.Price.Quote));
    }

    public static Results<Ok<QuoteView>, ProblemHttpResult> QuoteLostTicket(LostTicketRequest request, KioskService kiosk)
    {
        var (quote, problem) = kiosk.LostTicketQuote(request.VehicleType);
        return quote is null ? Problem(problem!) : TypedResults.Ok(QuoteView.Of(quote));
    }

    public static async Task<Results<Ok<CardPaymentView>, ProblemHttpResult>> PayByCardAsync(CodeRequest request, KioskService kiosk, CancellationToken cancellationToken)
    {
        var (payment, problem) = await kiosk.PayByCardAsync(request.Code, cancellationToken);
        return payment is null ? Problem(problem!) : TypedResults.Ok(payment);
    }

    public static async Task<Results<Accepted<CashSessionView>, ProblemHttpResult>> StartCashAsync(CodeRequest request, CashDesk cash, CancellationToken cancellationToken)
    {
        var (session, problem) = await cash.StartAsync(request.Code, cancellationToken);
        return session is null ? Problem(problem!) : TypedResults.Accepted($"/kiosk/api/pay/cash/{session.SessionId}", session);
    }

    public static Results<Ok<CashSessionView>, ProblemHttpResult> GetCash(string sessionId, CashDesk cash) =>
        cash.Get(sessionId) is { } session ? TypedResults.Ok(session) : UnknownCashSession(sessionId);

    public static async Task<Results<Ok<CashSessionView>, ProblemHttpResult>> CancelCashAsync(string sessionId, CashDesk cash, CancellationToken cancellationToken) =>
        await cash.CancelAsync(sessionId, cancellationToken) is { } session ? TypedResults.Ok(session) : UnknownCashSession(sessionId);

    private static Results<Accepted, ProblemHttpResult> InsertCoins(KioskSimulation simulation, CoinRequest request)
    {
        if (simulation.Coins is null)
        {
            return Problem(new KioskProblem(StatusCodes.Status503ServiceUnavailable, "No cash", "This kiosk has no coin acceptor."));
        }

        if (request.Pulses is < 1 or > 100)
        {
            return Problem(new KioskProblem(StatusCodes.Status400BadRequest, "Bad pulse count", "pulses must be 1-100."));
        }

        // Not awaited: the pulse train plays on the agent's clock while the page polls the payment.
        _ = simulation.Coins.EmitAsync(request.Pulses);
        return TypedResults.Accepted((string?)null);
    }

    private static NoContent DeclineNext(KioskSimulation simulation, DeclineRequest request)
    {
        simulation.Terminal?.DeclineNext(string.IsNullOrWhiteSpace(request.Reason) ? "insufficient funds (simulated)" : request.Reason);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult UnknownCashSession(string sessionId) =>
        Problem(new KioskProblem(StatusCodes.Status404NotFound, "Unknown cash payment", $"There is no cash payment {sessionId} at this kiosk (the agent may have restarted)."));

    private static ProblemHttpResult Problem(KioskProblem problem) =>
        TypedResults.Problem(statusCode: problem.Status, title: problem.Title, detail: problem.Detail);
}

/// <summary>The simulated payment hardware the kiosk page can drive in <c>--simulate</c>.</summary>
internal sealed record KioskSimulation(Hardware.Payment.SimulatedPulseSource? Coins, SimulatedCardTerminal? Terminal);
