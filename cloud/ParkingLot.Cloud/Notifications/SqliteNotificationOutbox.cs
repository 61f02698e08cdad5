using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Notifications;

/// <summary>The outbox on the embedded store (table: Storage/Sqlite/Migrations/0260_notification_outbox.sql).</summary>
internal sealed class SqliteNotificationOutbox(SqliteDatabase database) : INotificationOutbox
{
    private const string Columns = """
        message_id, kind, subject_id, booking_id, recipient, subject, text_body, html_body, status, attempts,
        next_attempt_ms, last_error, created_ms, sent_ms
        """;

    public async Task<bool> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        await using var writer = await SqliteWriter.BeginAsync(database, cancellationToken);
        await using var insert = writer.Command($"""
            INSERT INTO notification_outbox ({Columns})
            VALUES ($id, $kind, $subject_id, $booking, $recipient, $subject, $text, $html, 'pending', 0, $next, NULL, $created, NULL)
            ON CONFLICT (kind, subject_id) DO NOTHING
            """);
        insert.With("$id", message.Id.ToString()).With("$kind", DbValues.Name(message.Kind)).With("$subject_id", message.SubjectId)
            .With("$booking", message.BookingId.ToString()).With("$recipient", message.Recipient).With("$subject", message.Subject)
            .With("$text", message.TextBody).With("$html", message.HtmlBody).With("$next", DbValues.Ms(message.NextAttemptAt))
            .With("$created", DbValues.Ms(message.CreatedAt));
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        await writer.Transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    public async Task<OutboxMessage?> FindAsync(NotificationKind kind, string subjectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM notification_outbox WHERE kind = $kind AND subject_id = $subject_id";
        command.With("$kind", DbValues.Name(kind)).With("$subject_id", subjectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(
        DateTimeOffset now, string owner, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        // One writer at a time (BEGIN IMMEDIATE behind the write lock): the select and the lease are one step.
        await using var writer = await SqliteWriter.BeginAsync(database, cancellationToken);
        await using var claim = writer.Command($"""
            UPDATE notification_outbox SET lease_owner = $owner, lease_until_ms = $until, attempts = attempts + 1
            WHERE message_id IN (
                SELECT message_id FROM notification_outbox
                WHERE status = 'pending' AND next_attempt_ms <= $now AND (lease_until_ms IS NULL OR lease_until_ms <= $now)
                ORDER BY next_attempt_ms LIMIT $limit)
            RETURNING {Columns}
            """);
        claim.With("$owner", owner).With("$until", DbValues.Ms(leaseUntil)).With("$now", DbValues.Ms(now)).With("$limit", limit);
        var claimed = new List<OutboxMessage>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(Read(reader));
            }
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return claimed;
    }

    public async Task<bool> MarkSentAsync(Guid id, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await SqliteWriter.BeginAsync(database, cancellationToken);
        await using var update = writer.Command("""
            UPDATE notification_outbox SET status = 'sent', sent_ms = $now, lease_owner = NULL, lease_until_ms = NULL, last_error = NULL
            WHERE message_id = $id AND lease_owner = $owner AND status = 'pending'
            """);
        update.With("$id", id.ToString()).With("$owner", owner).With("$now", DbValues.Ms(now));
        var done = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        await writer.Transaction.CommitAsync(cancellationToken);
        return done;
    }

    public async Task<bool> MarkAttemptFailedAsync(Guid id, string owner, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var writer = await SqliteWriter.BeginAsync(database, cancellationToken);
        await using var update = writer.Command("""
            UPDATE notification_outbox
            SET status = CASE WHEN $retry IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_ms = coalesce($retry, next_attempt_ms), last_error = $error, lease_owner = NULL, lease_until_ms = NULL
            WHERE message_id = $id AND lease_owner = $owner AND status = 'pending'
            """);
        update.With("$id", id.ToString()).With("$owner", owner).With("$error", error)
            .With("$retry", retryAt is { } at ? DbValues.Ms(at) : null);
        var done = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        await writer.Transaction.CommitAsync(cancellationToken);
        return done;
    }

    public async Task<IReadOnlyList<DueReminder>> ListDueRemindersAsync(
        DateTimeOffset now, TimeSpan holdLead, TimeSpan startLead, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT $hold_kind, b.booking_id FROM bookings b
            WHERE b.status = 'held' AND b.expires_at_ms > $now AND b.expires_at_ms <= $hold_until
              AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.kind = $hold_kind AND o.subject_id = b.booking_id)
            UNION ALL
            SELECT $start_kind, b.booking_id FROM bookings b
            WHERE b.status = 'confirmed' AND b.start_ms > $now AND b.start_ms <= $start_until
              AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.kind = $start_kind AND o.subject_id = b.booking_id)
            """;
        var at = DbValues.Ms(now);
        command.With("$hold_kind", DbValues.Name(NotificationKind.HoldExpiring)).With("$start_kind", DbValues.Name(NotificationKind.StartsSoon))
            .With("$now", at).With("$hold_until", DbValues.Ms(now + holdLead)).With("$start_until", DbValues.Ms(now + startLead));
        var due = new List<DueReminder>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueReminder(DbValues.Parse<NotificationKind>(reader.GetString(0)), Guid.Parse(reader.GetString(1))));
        }

        return due;
    }

    private static OutboxMessage Read(SqliteDataReader reader) => new(
        Guid.Parse(reader.GetString(0)),
        DbValues.Parse<NotificationKind>(reader.GetString(1)),
        reader.GetString(2),
        Guid.Parse(reader.GetString(3)),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        DbValues.Parse<OutboxStatus>(reader.GetString(8)),
        reader.GetInt32(9),
        DbValues.FromMs(reader.GetInt64(10)),
        reader.IsDBNull(11) ? null : reader.GetString(11),
        DbValues.FromMs(reader.GetInt64(12)),
        reader.IsDBNull(13) ? null : DbValues.FromMs(reader.GetInt64(13)));
}
