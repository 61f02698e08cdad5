using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge;

// The kiosk's part of Log (event ids 700-749), in its own file of the one partial Log class so that
// the kiosk and the lanes, written side by side, do not edit the same file.
internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Information, "Pay kiosk serving on {Url} (cash {Cash}, card {Card}, receipt printer {Printer})")]
    public static partial void KioskListening(ILogger logger, string url, bool cash, bool card, bool printer);

    [LoggerMessage(701, LogLevel.Error, "The pay kiosk cannot serve on {Listen}; gates keep working without it: {Reason}")]
    public static partial void KioskBindFailed(ILogger logger, string listen, string reason);

    [LoggerMessage(702, LogLevel.Information, "Payment {PaymentId} for ticket {TicketId}: {Amount} by {Method} ({Detail})")]
    public static partial void KioskPaymentRecorded(ILogger logger, string paymentId, string ticketId, string amount, PaymentMethod method, string detail);

    [LoggerMessage(703, LogLevel.Information, "Card payment for ticket {TicketId} declined by terminal {TerminalId}: {Reason}")]
    public static partial void KioskCardDeclined(ILogger logger, string ticketId, string terminalId, string reason);

    [LoggerMessage(704, LogLevel.Warning, "The receipt for payment {PaymentId} was not printed: printer {Status}")]
    public static partial void KioskReceiptNotPrinted(ILogger logger, string paymentId, string status);

    [LoggerMessage(706, LogLevel.Warning, "Kiosk {Device} unavailable: {Reason}")]
    public static partial void KioskDeviceUnavailable(ILogger logger, string device, string reason);

    [LoggerMessage(707, LogLevel.Information, "Cash payment {SessionId} for ticket {TicketId} started: {Due} due")]
    public static partial void KioskCashStarted(ILogger logger, string sessionId, string ticketId, string due);

    [LoggerMessage(708, LogLevel.Error, "The kiosk's coin acceptor loop failed")]
    public static partial void KioskCashLoopFailed(ILogger logger, Exception exception);
}
