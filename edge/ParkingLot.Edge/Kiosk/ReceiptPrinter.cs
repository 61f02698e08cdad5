using System.Globalization;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Kiosk;

/// <summary>What one receipt says.</summary>
internal sealed record Receipt(
    PaymentRecorded Payment,
    FeeQuote Quote,
    Money PaidBefore,
    Money Due,
    DateTimeOffset PaidAt,
    string? AuthorizationReference = null,
    Money? Overpaid = null,
    bool PartPayment = false);

/// <summary>
/// Prints kiosk receipts on the kiosk's ESC/POS printer (the same driver as the entry tickets). A
/// receipt that cannot be printed never undoes a payment: the money is recorded first, and the
/// page says the receipt is missing.
/// </summary>
internal sealed class ReceiptPrinter(ITicketPrinter? printer, LotFile lot, int columns, ILogger<ReceiptPrinter> logger)
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(lot.TimeZone);

    public bool Available => printer is not null;

    /// <summary>Prints <paramref name="receipt"/>; false (logged) when there is no printer or it is not ready.</summary>
    public async Task<bool> PrintAsync(Receipt receipt, CancellationToken cancellationToken)
    {
        if (printer is null)
        {
            return false;
        }

        var outcome = await printer.PrintAsync(Render(receipt), cancellationToken);
        if (!outcome.Printed)
        {
            Log.KioskReceiptNotPrinted(logger, receipt.Payment.PaymentId, outcome.Status.ToString());
        }

        return outcome.Printed;
    }

    /// <summary>The receipt as a print job: lot, ticket, stay, fee breakdown, payment, grace reminder; the QR code carries the payment id.</summary>
    public TicketPrintJob Render(Receipt receipt)
    {
        var p = receipt.Payment;
        var lines = new List<string>
        {
            lot.Name,
            "Ticket " + p.TicketId,
            "Entry " + Local(receipt.Quote.From),
            "Paid  " + Local(receipt.PaidAt),
            new string('-', columns),
        };
        foreach (var line in receipt.Quote.Lines)
        {
            lines.AddRange(Row(line.Description, line.Amount.ToString()));
        }

        lines.AddRange(Row("Stay total", receipt.Quote.Total.ToString()));
        if (receipt.PaidBefore.Minor > 0)
        {
            lines.AddRange(Row("Paid before", "-" + receipt.PaidBefore));
        }

        lines.AddRange(Row("Due", receipt.Due.ToString()));
        lines.Add(new string('-', columns));
        lines.AddRange(Row(p.Method == PaymentMethod.Card ? "PAID BY CARD" : "PAID IN CASH", p.Amount.ToString()));
        if (receipt.AuthorizationReference is { } reference)
        {
            lines.AddRange(Row("Card auth", reference));
        }

        if (receipt.Overpaid is { Minor: > 0 } overpaid)
        {
            lines.AddRange(Row("Overpaid", overpaid.ToString()));
            lines.Add("No change given: the overpaid");
            lines.Add("amount is recorded in the ledger.");
        }

        lines.AddRange(Row("Tariff", p.TariffVersion));
        var grace = lot.Tariff.VehicleTypes.TryGetValue(receipt.Quote.VehicleType, out var tariff) ? tariff.ExitGraceMinutes : 0;
        IReadOnlyList<string> footer = receipt.PartPayment
            ? ["PART PAYMENT: the rest is still", "due before the exit opens."]
            : [string.Create(CultureInfo.InvariantCulture, $"Please leave within {grace} min."), "Thank you."];
        return new TicketPrintJob("RECEIPT", lines, "PLR1:" + p.PaymentId, footer);
    }

    private string Local(DateTimeOffset time) =>
        TimeZoneInfo.ConvertTime(time, _zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Label left, amount right; a label too long for the line gets a line of its own.</summary>
    private IEnumerable<string> Row(string label, string value)
    {
        var room = columns - value.Length - 1;
        if (label.Length <= room)
        {
            yield return label + new string(' ', columns - label.Length - value.Length) + value;
            yield break;
        }

        for (var start = 0; start < label.Length; start += columns)
        {
            yield return label.Substring(start, Math.Min(columns, label.Length - start));
        }

        yield return value.PadLeft(columns);
    }
}
