using System.Text.Json;
using System.Text.Json.Serialization;
using ParkingLot.Shared;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Kiosk;

// Request and response bodies of /kiosk/api. Amounts travel as minor units with the currency and a
// display text, so the page never does money arithmetic.

/// <summary>A ticket code as scanned or typed.</summary>
internal sealed record CodeRequest(string? Code);

/// <summary>A lost ticket: the driver says which vehicle type.</summary>
internal sealed record LostTicketRequest(string? VehicleType);

/// <summary>Simulation: play this many pulses on the coin acceptor's GPIO line.</summary>
internal sealed record CoinRequest(int Pulses);

/// <summary>Simulation: decline the next card authorisation.</summary>
internal sealed record DeclineRequest(string? Reason);

internal sealed record MoneyView(long Minor, string Currency, string Text)
{
    public static MoneyView Of(Money money) => new(money.Minor, money.Currency, money.ToString());
}

internal sealed record FeeLineView(string Description, MoneyView Amount);

internal sealed record QuoteView(MoneyView Total, string TariffVersion, string VehicleType, DateTimeOffset From, DateTimeOffset To, int DemandMultiplierPercent, IReadOnlyList<FeeLineView> Lines)
{
    public static QuoteView Of(FeeQuote quote) => new(
        MoneyView.Of(quote.Total),
        quote.TariffVersion,
        WireNames.Of(quote.VehicleType),
        quote.From,
        quote.To,
        quote.DemandMultiplierPercent,
        [.. quote.Lines.Select(l => new FeeLineView(l.Description, MoneyView.Of(l.Amount)))]);
}

/// <summary>What the kiosk shows after a scan: the stay, its fee with the breakdown, what is paid and what is due.</summary>
/// <param name="Basis">free, paid or feeDue, as the exit lane will judge it now.</param>
/// <param name="CanPay">True when something is due and the ticket has not been used to exit.</param>
internal sealed record TicketView(
    string TicketId,
    string VehicleType,
    string Status,
    DateTimeOffset? EnteredAt,
    string Basis,
    QuoteView Quote,
    MoneyView Paid,
    MoneyView Due,
    bool CanPay,
    int ExitGraceMinutes,
    string Message);

/// <summary>A card payment that went through.</summary>
internal sealed record CardPaymentView(string PaymentId, string TicketId, MoneyView Amount, string AuthorizationReference, bool ReceiptPrinted, string Message);

/// <summary>A cash payment under way or finished.</summary>
/// <param name="State">waiting (insert coins), paid, cancelled (with anything inserted recorded as a part payment), or failed (the ledger refused the payment; its coins are recorded as stray coins for staff).</param>
/// <param name="Counting">Value of the coins of a burst still being counted (not yet credited).</param>
internal sealed record CashSessionView(
    string SessionId,
    string TicketId,
    string State,
    MoneyView Due,
    MoneyView Inserted,
    MoneyView Counting,
    MoneyView Remaining,
    MoneyView Overpaid,
    string? PaymentId,
    bool ReceiptPrinted,
    string Message);

/// <summary>What the page needs to draw itself.</summary>
internal sealed record KioskInfoView(string LotId, string LotName, string Currency, bool Cash, bool Card, bool Receipts, bool Simulation, IReadOnlyList<string> VehicleTypes);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CodeRequest))]
[JsonSerializable(typeof(LostTicketRequest))]
[JsonSerializable(typeof(CoinRequest))]
[JsonSerializable(typeof(DeclineRequest))]
[JsonSerializable(typeof(TicketView))]
[JsonSerializable(typeof(QuoteView))]
[JsonSerializable(typeof(CardPaymentView))]
[JsonSerializable(typeof(CashSessionView))]
[JsonSerializable(typeof(KioskInfoView))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class KioskJsonContext : JsonSerializerContext
{
}
