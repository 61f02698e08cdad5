namespace ParkingLot.Cloud.Notifications;

/// <summary>The moments a driver is told about by e-mail; with the subject id, the outbox's unique key.</summary>
internal enum NotificationKind
{
    /// <summary>The booking was paid and is confirmed (subject: the booking id).</summary>
    Confirmation,

    /// <summary>A payment succeeded: the explainable receipt (subject: the payment id).</summary>
    Receipt,

    /// <summary>A refund was issued (subject: the refund id).</summary>
    Refund,

    /// <summary>An unpaid hold is about to expire (subject: the booking id).</summary>
    HoldExpiring,

    /// <summary>A confirmed booking starts soon (subject: the booking id).</summary>
    StartsSoon,
}

internal enum OutboxStatus
{
    /// <summary>Not delivered yet; the sender tries it at <see cref="OutboxMessage.NextAttemptAt"/>.</summary>
    Pending,

    Sent,

    /// <summary>Gave up after <see cref="NotificationsOptions.MaxAttempts"/> attempts; <see cref="OutboxMessage.LastError"/> says why.</summary>
    Failed,
}

/// <summary>A rendered e-mail waiting in (or delivered from) the outbox.</summary>
internal sealed record OutboxMessage(
    Guid Id,
    NotificationKind Kind,
    string SubjectId,
    Guid BookingId,
    string Recipient,
    string Subject,
    string TextBody,
    string HtmlBody,
    OutboxStatus Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt);

/// <summary>A booking whose time-driven moment (hold expiring, starts soon) is due and not in the outbox yet.</summary>
internal readonly record struct DueReminder(NotificationKind Kind, Guid BookingId);

/// <summary>
/// The durable outbox on the configured store (SQLite or PostgreSQL; tables in
/// Storage/*/Migrations/0260_notification_outbox.sql).
/// </summary>
internal interface INotificationOutbox
{
    /// <summary>Inserts a pending message unless one with its (kind, subject id) exists; true when inserted.</summary>
    Task<bool> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken);

    Task<OutboxMessage?> FindAsync(NotificationKind kind, string subjectId, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> pending messages due at <paramref name="now"/> whose lease (if
    /// any) ran out, to <paramref name="owner"/> until <paramref name="leaseUntil"/>, counting the attempt.
    /// A message leased to one sender is not returned to another until the lease runs out.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(
        DateTimeOffset now, string owner, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    /// <summary>Marks the owner's leased message sent; false when the lease was lost.</summary>
    Task<bool> MarkSentAsync(Guid id, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed attempt of the owner's leased message: pending again at <paramref name="retryAt"/>,
    /// or failed for good when it is null.
    /// </summary>
    Task<bool> MarkAttemptFailedAsync(Guid id, string owner, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>
    /// Holds still held that expire in <c>(now, now + holdLead]</c> and confirmed bookings that start in
    /// <c>(now, now + startLead]</c>, without a message of that kind yet.
    /// </summary>
    Task<IReadOnlyList<DueReminder>> ListDueRemindersAsync(
        DateTimeOffset now, TimeSpan holdLead, TimeSpan startLead, CancellationToken cancellationToken);
}
