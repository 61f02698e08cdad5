namespace ParkingLot.Edge;

// The kiosk's cash failures: stray coins, failed recordings, the inhibit line (event ids 3000-3099).
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Warning, "{Amount} in coins taken by no payment ({Reason}, ticket {TicketId}): recorded as stray coins in the cash box")]
    public static partial void KioskStrayCoins(ILogger logger, string amount, string reason, string? ticketId);

    [LoggerMessage(3001, LogLevel.Error, "Stray coins of {Amount} could not be recorded yet; trying again in {RetryEvery}: {Reason}")]
    public static partial void KioskStrayCoinsDeferred(ILogger logger, string amount, TimeSpan retryEvery, string reason);

    [LoggerMessage(3002, LogLevel.Error, "Stray coins of {Amount} ({Reason}, ticket {TicketId}) were never recorded: the agent stopped while the ledger refused them; reconcile the cash box by hand")]
    public static partial void KioskStrayCoinsUnrecorded(ILogger logger, string amount, string reason, string? ticketId);

    [LoggerMessage(3003, LogLevel.Error, "The cash payment {SessionId} for ticket {TicketId} ({Amount} inserted) could not be recorded: {Reason}")]
    public static partial void KioskCashPaymentFailed(ILogger logger, string sessionId, string ticketId, string amount, string reason);

    [LoggerMessage(3004, LogLevel.Information, "Cash payment {SessionId} for ticket {TicketId} abandoned: no coin for {AbandonAfter}")]
    public static partial void KioskCashAbandoned(ILogger logger, string sessionId, string ticketId, TimeSpan abandonAfter);

    [LoggerMessage(3005, LogLevel.Error, "A credit of {Amount} from the coin acceptor could not be handled; the acceptor keeps running")]
    public static partial void KioskCreditFailed(ILogger logger, string amount, Exception exception);
}
