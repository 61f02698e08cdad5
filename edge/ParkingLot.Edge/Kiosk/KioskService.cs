using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Globalization;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Kiosk;

/// <summary>An expected refusal, for an RFC 7807 problem response: nothing was changed.</summary>
internal sealed record KioskProblem(int Status, string Title, string Detail);

/// <summary>A ticket found in the ledger with what it owes now.</summary>
internal sealed record KioskTicket(SessionState Session, TicketPrice Price);

/// <summary>
/// The kiosk's logic, all local (invariant I3: no cloud call, so it works with the network down):
/// verify the scanned code offline with the lot's ticket key, find the stay in the ledger, price it
/// with the exit rule, take a card payment through the terminal, record it, print the receipt.
/// Cash goes through <see cref="CashDesk"/>.
/// </summary>
internal sealed class KioskService(
    LotFile lot,
    LedgerStore ledger,
    CredentialVerifier verifier,
    PaymentRecorder payments,
    ReceiptPrinter receipts,
    ICardTerminal? terminal,
    TimeProvider time,
    ILogger<KioskService> logger)
{
    public bool CardAvailable => terminal is not null;

    /// <summary>Verifies <paramref name="code"/> and prices its stay; a problem (400/404) for a code that is not a ticket of this lot.</summary>
    public async Task<(KioskTicket? Ticket, KioskProblem? Problem)> LookupAsync(string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return (null, new KioskProblem(StatusCodes.Status400BadRequest, "No ticket code", "Scan the QR code on your ticket or type the code printed under it."));
        }

        var check = verifier.Verify(code.Trim(), lot.LotId, time.GetUtcNow());
        if (!check.IsValid)
        {
            return (null, new KioskProblem(StatusCodes.Status400BadRequest, "Ticket refused", check.Reason));
        }

        var credential = check.Credential!;
        if (credential.Kind != CredentialKind.Ticket)
        {
            return (null, new KioskProblem(StatusCodes.Status400BadRequest, "Not a ticket", "This code is a reservation pass or permit: it is paid already, drive to the exit."));
        }

        var session = await ledger.GetSessionAsync(credential.Id, cancellationToken);
        if (session is null)
        {
            return (null, new KioskProblem(StatusCodes.Status404NotFound, "Unknown ticket", $"Ticket {credential.Id} is not in this lot's records. Please ask the attendant."));
        }

        return (new KioskTicket(session, await payments.PriceAsync(session, cancellationToken)), null);
    }

    /// <summary>The lost-ticket fee for a vehicle type (the entry is unknown); a 400 problem for a type the lot does not take.</summary>
    public (FeeQuote? Quote, KioskProblem? Problem) LostTicketQuote(string? vehicleType)
    {
        var type = Enum.GetValues<VehicleType>().Where(t => string.Equals(LotFileLoader.VehicleTypeName(t), vehicleType, StringComparison.Ordinal)).Cast<VehicleType?>().FirstOrDefault();
        if (type is not { } known || !lot.Tariff.VehicleTypes.ContainsKey(known))
        {
            var types = string.Join(", ", lot.Tariff.VehicleTypes.Keys.Select(LotFileLoader.VehicleTypeName));
            return (null, new KioskProblem(StatusCodes.Status400BadRequest, "Unknown vehicle type", $"'{vehicleType}' is not a vehicle type of this lot (one of: {types})."));
        }

        return (TariffEngine.LostTicket(lot.Tariff, known, null, time.GetUtcNow()), null);
    }

    /// <summary>
    /// Charges what is due by card. Declined: nothing is recorded (402). Approved: the payment is
    /// recorded even if the caller has gone away meanwhile, because the card has been charged.
    /// </summary>
    public async Task<(CardPaymentView? Payment, KioskProblem? Problem)> PayByCardAsync(string? code, CancellationToken cancellationToken)
    {
        if (terminal is null)
        {
            return (null, new KioskProblem(StatusCodes.Status503ServiceUnavailable, "No card terminal", "This kiosk takes no cards. Please pay in cash."));
        }

        var (found, problem) = await LookupAsync(code, cancellationToken);
        if (found is null)
        {
            return (null, problem);
        }

        Receipt receipt;
        string authorization;
        using (await payments.LockAsync(cancellationToken))
        {
            // Priced again under the lock: another kiosk request may have paid meanwhile.
            var session = found.Session;
            var price = await payments.PriceAsync(session, cancellationToken);
            if (NotPayable(session, price) is { } refusal)
            {
                return (null, refusal);
            }

            var due = price.Outstanding;
            var answer = await terminal.AuthorizeAsync(due, session.TicketId, cancellationToken);
            if (!answer.Approved)
            {
                Log.KioskCardDeclined(logger, session.TicketId, terminal.Id, answer.DeclineReason ?? "declined");
                return (null, new KioskProblem(StatusCodes.Status402PaymentRequired, "Card declined", $"The card was declined: {answer.DeclineReason ?? "no reason given"}. Nothing was charged."));
            }

            authorization = answer.AuthorizationReference ?? "(none)";
            var payment = await payments.RecordAsync(session.TicketId, due, PaymentMethod.Card, price.Quote.TariffVersion, $"card auth {authorization} at {terminal.Id}", CancellationToken.None);
            receipt = new Receipt(payment, price.Quote, price.Paid, due, time.GetUtcNow(), authorization);
        }

        var printed = await receipts.PrintAsync(receipt, CancellationToken.None);
        return (new CardPaymentView(
            receipt.Payment.PaymentId,
            receipt.Payment.TicketId,
            MoneyView.Of(receipt.Payment.Amount),
            authorization,
            printed,
            Paid(receipt, printed)), null);
    }

    /// <summary>The page's view of a ticket.</summary>
    public TicketView View(KioskTicket ticket)
    {
        var (session, price) = (ticket.Session, ticket.Price);
        var grace = lot.Tariff.VehicleTypes.TryGetValue(session.VehicleType, out var tariff) ? tariff.ExitGraceMinutes : 0;
        var refusal = NotPayable(session, price);
        var message = refusal?.Detail ?? $"Please pay {price.Outstanding}.";
        return new TicketView(
            session.TicketId,
            LotFileLoader.VehicleTypeName(session.VehicleType),
            LedgerText.Name(session.Status),
            session.EnteredAt ?? session.IssuedAt,
            price.Basis,
            QuoteView.Of(price.Quote),
            MoneyView.Of(price.Paid),
            MoneyView.Of(price.Outstanding),
            refusal is null,
            grace,
            message);
    }

    /// <summary>Why <paramref name="session"/> cannot be paid now (409), or null when money is due.</summary>
    public static KioskProblem? NotPayable(SessionState session, TicketPrice price)
    {
        if (session.Status == SessionStatus.Closed)
        {
            return new KioskProblem(StatusCodes.Status409Conflict, "Ticket used", $"Ticket {session.TicketId} was already used to leave the lot.");
        }

        if (price.MayLeave)
        {
            return price.Paid.Minor > 0
                ? new KioskProblem(StatusCodes.Status409Conflict, "Already paid", $"Ticket {session.TicketId} is paid ({price.Paid}). Please drive to the exit.")
                : new KioskProblem(StatusCodes.Status409Conflict, "Nothing to pay", "Your stay is free. Please drive to the exit.");
        }

        return null;
    }

    private static string Paid(Receipt receipt, bool printed) =>
        string.Create(CultureInfo.InvariantCulture, $"Paid {receipt.Payment.Amount}. {(printed ? "Take your receipt." : "The receipt could not be printed.")} The exit opens for your ticket now.");
}
