using ParkingLot.Cloud.Notifications;

namespace ParkingLot.Cloud;

/// <summary>E-mail notifications: the outbox, its sender and the reminder sweeper (event ids 9700–9799).</summary>
internal static partial class Log
{
    [LoggerMessage(9700, LogLevel.Debug, "Queued the {Kind} e-mail {SubjectId} of booking {BookingId}")]
    public static partial void NotificationQueued(ILogger logger, NotificationKind kind, string subjectId, Guid bookingId);

    [LoggerMessage(9701, LogLevel.Warning, "Could not queue the {Kind} e-mail {SubjectId} of booking {BookingId}; the booking change stands, the driver is not told")]
    public static partial void NotificationEnqueueFailed(ILogger logger, NotificationKind kind, string subjectId, Guid bookingId, Exception exception);

    [LoggerMessage(9702, LogLevel.Warning, "No {Kind} e-mail: booking {BookingId} does not exist")]
    public static partial void NotificationBookingMissing(ILogger logger, NotificationKind kind, Guid bookingId);

    [LoggerMessage(9703, LogLevel.Warning, "No {Kind} e-mail for booking {BookingId}: its user {UserId} has no account")]
    public static partial void NotificationRecipientMissing(ILogger logger, NotificationKind kind, Guid bookingId, string userId);

    [LoggerMessage(9710, LogLevel.Information, "Delivered the {Kind} e-mail {SubjectId} to {Destination}")]
    public static partial void EmailDelivered(ILogger logger, NotificationKind kind, string subjectId, string destination);

    [LoggerMessage(9711, LogLevel.Warning, "Delivering the {Kind} e-mail {SubjectId} failed (attempt {Attempts}); next attempt at {RetryAt:O}")]
    public static partial void EmailRetryScheduled(ILogger logger, NotificationKind kind, string subjectId, int attempts, DateTimeOffset retryAt, Exception exception);

    [LoggerMessage(9712, LogLevel.Error, "Gave up on the {Kind} e-mail {SubjectId} after {Attempts} attempts")]
    public static partial void EmailGaveUp(ILogger logger, NotificationKind kind, string subjectId, int attempts, Exception exception);

    [LoggerMessage(9713, LogLevel.Error, "Polling the e-mail outbox failed; trying again at the next poll")]
    public static partial void OutboxPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(9720, LogLevel.Information, "Queued {Count} booking reminders (hold expiring, starts soon)")]
    public static partial void RemindersFound(ILogger logger, int count);

    [LoggerMessage(9721, LogLevel.Error, "Looking for due booking reminders failed; trying again at the next sweep")]
    public static partial void NotificationSweepFailed(ILogger logger, Exception exception);
}
