using System.Globalization;
using System.Net;
using System.Text;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Shared;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Notifications;

/// <summary>What a message says about its booking: the booking, its lot's name and time zone.</summary>
internal sealed record BookingFacts(Booking Booking, string LotName, TimeZoneInfo Zone);

/// <summary>A rendered e-mail: subject, plain text and the same text as simple HTML.</summary>
internal sealed record RenderedEmail(string Subject, string Text, string Html);

/// <summary>
/// The texts of the e-mails. Plain text is the message; the HTML alternative is the same lines,
/// encoded, so the two never say different things. Times are in the lot's time zone.
/// </summary>
internal static class NotificationTemplates
{
    public static RenderedEmail Confirmation(BookingFacts facts) => Render(
        $"Booking confirmed: {facts.LotName}, {Time(facts, facts.Booking.StartTime)}",
        "Your booking is paid and confirmed.",
        Details(facts),
        "Your pass (QR code) is in the app under My bookings; show it at the gate.");

    public static RenderedEmail HoldExpiring(BookingFacts facts) => Render(
        $"Your hold at {facts.LotName} expires soon",
        $"Your spot is held until {Time(facts, facts.Booking.ExpiresAt ?? facts.Booking.CreatedAt)} and is released if it is not paid by then.",
        Details(facts),
        "Pay for the booking in the app to keep it.");

    public static RenderedEmail StartsSoon(BookingFacts facts) => Render(
        $"Your booking at {facts.LotName} starts at {Time(facts, facts.Booking.StartTime)}",
        "Your booking starts soon.",
        Details(facts),
        "Show your pass (QR code) from the app at the gate.");

    /// <summary>
    /// The explainable receipt: the fee lines of the locked quote recomputed with the tariff version the
    /// booking was priced with (null when that cannot be reproduced), the version, and the amount paid.
    /// </summary>
    public static RenderedEmail Receipt(BookingFacts facts, string paymentId, Money paid, FeeQuote? lines)
    {
        var booking = facts.Booking;
        var text = new StringBuilder();
        if (lines is not null)
        {
            foreach (var line in lines.Lines)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {line.Description}: {Amount(line.Amount)}\n");
            }
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"  Parking {Time(facts, booking.StartTime)} to {Time(facts, booking.EndTime)} (price locked at booking): {Amount(booking.Amount)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"  Total: {Amount(booking.Amount)}\n");
        if (paid.Currency == booking.Amount.Currency && paid.Minor < booking.Amount.Minor)
        {
            // Loyalty: the tier discount and redeemed points are taken off at payment, not in the quote.
            text.Append(CultureInfo.InvariantCulture, $"  Discounts and points redeemed: -{Amount(booking.Amount - paid)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"  Paid: {Amount(paid)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Tariff version: {booking.TariffVersion}");
        if (booking.DemandMultiplierPercent != 100)
        {
            text.Append(CultureInfo.InvariantCulture, $" (demand {booking.DemandMultiplierPercent}%)");
        }

        return Render(
            $"Receipt: {Amount(paid)} for parking at {facts.LotName}",
            $"Thank you for your payment of {Amount(paid)} (payment {paymentId}).",
            Details(facts) + "\n\nFees:\n" + text,
            "Keep this e-mail as your receipt.");
    }

    public static RenderedEmail Refund(BookingFacts facts, string refundId, Money amount) => Render(
        $"Refund of {Amount(amount)} for your booking at {facts.LotName}",
        $"We refunded {Amount(amount)} (refund {refundId}) for this booking. It reaches your card within a few days.",
        Details(facts),
        "The booking is cancelled and its pass no longer opens the gate.");

    /// <summary>Minor units as a decimal amount with its currency, e.g. "12.50 EUR" (two-decimal currencies).</summary>
    public static string Amount(Money money) =>
        string.Create(CultureInfo.InvariantCulture, $"{money.Minor / 100m:0.00} {money.Currency}");

    private static string Details(BookingFacts facts)
    {
        var booking = facts.Booking;
        var plate = booking.Plate is null ? string.Empty : $"\nPlate: {booking.Plate}";
        return $"""
            Booking: {booking.Id}
            Lot: {facts.LotName}
            Spot: {booking.SpotId} ({Storage.DbValues.Name(booking.VehicleType)})
            From: {Time(facts, booking.StartTime)}
            To: {Time(facts, booking.EndTime)}
            Price: {Amount(booking.Amount)}{plate}
            """;
    }

    private static string Time(BookingFacts facts, DateTimeOffset time)
    {
        var local = TimeZoneInfo.ConvertTime(time, facts.Zone);
        return string.Create(CultureInfo.InvariantCulture, $"{local:yyyy-MM-dd HH:mm} ({facts.Zone.Id})");
    }

    private static RenderedEmail Render(string subject, string lead, string details, string closing)
    {
        var text = $"{lead}\n\n{details}\n\n{closing}\n\nParkingLot\n";
        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph.TrimEnd('\n')).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>");
        }

        return new RenderedEmail(subject, text, html.Append("</body></html>").ToString());
    }
}
