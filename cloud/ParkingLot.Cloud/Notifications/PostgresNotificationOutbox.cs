using Npgsql;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;

namespace ParkingLot.Cloud.Notifications;

/// <summary>The outbox on PostgreSQL (table: Storage/Postgres/Migrations/0260_notification_outbox.sql).</summary>
internal sealed class PostgresNotificationOutbox(NpgsqlDataSource dataSource) : INotificationOutbox
{
    private const string Columns = """
        message_id, kind, subject_id, booking_id, recipient, subject, text_body, html_body, status, attempts,
        next_attempt_at, last_error, created_at, sent_at
        """;

    public async Task<bool> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        await using var insert = dataSource.CreateCommand($"""
            INSERT INTO notification_outbox ({Columns})
            VALUES (@id, @kind, @subject_id, @booking, @recipient, @subject, @text, @html, 'pending', 0, @next, NULL, @created, NULL)
            ON CONFLICT ON CONSTRAINT notification_outbox_once DO NOTHING
            """);
        insert.With("id", message.Id).With("kind", DbValues.Name(message.Kind)).With("subject_id", message.SubjectId)
            .With("booking", message.BookingId).With("recipient", message.Recipient).With("subject", message.Subject)
            .With("text", message.TextBody).With("html", message.HtmlBody).WithTime("next", message.NextAttemptAt)
            .WithTime("created", message.CreatedAt);
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<OutboxMessage?> FindAsync(NotificationKind kind, string subjectId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM notification_outbox WHERE kind = @kind AND subject_id = @subject_id");
        command.With("kind", DbValues.Name(kind)).With("subject_id", subjectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(
        DateTimeOffset now, string owner, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        // SKIP LOCKED: two instances polling at once take disjoint rows instead of waiting on each other;
        // the lease keeps a row from a second sender after this statement commits.
        await using var claim = dataSource.CreateCommand($"""
            UPDATE notification_outbox SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
            WHERE message_id IN (
                SELECT message_id FROM notification_outbox
                WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                ORDER BY next_attempt_at LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING {Columns}
            """);
        claim.With("owner", owner).WithTime("until", leaseUntil).WithTime("now", now).With("limit", limit);
        var claimed = new List<OutboxMessage>();
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(Read(reader));
        }

        return claimed;
    }

    public async Task<bool> MarkSentAsync(Guid id, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var update = dataSource.CreateCommand("""
            UPDATE notification_outbox SET status = 'sent', sent_at = @now, lease_owner = NULL, lease_until = NULL, last_error = NULL
            WHERE message_id = @id AND lease_owner = @owner AND status = 'pending'
            """);
        update.With("id", id).With("owner", owner).WithTime("now", now);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> MarkAttemptFailedAsync(Guid id, string owner, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var update = dataSource.CreateCommand("""
            UPDATE notification_outbox
            SET status = CASE WHEN @retry::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = coalesce(@retry::timestamptz, next_attempt_at), last_error = @error, lease_owner = NULL, lease_until = NULL
            WHERE message_id = @id AND lease_owner = @owner AND status = 'pending'
            """);
        update.With("id", id).With("owner", owner).With("error", error);
        update.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("retry", NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = retryAt?.ToUniversalTime() });
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<DueReminder>> ListDueRemindersAsync(
        DateTimeOffset now, TimeSpan holdLead, TimeSpan startLead, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT @hold_kind, b.booking_id FROM bookings b
            WHERE b.status = 'held' AND b.expires_at > @now AND b.expires_at <= @hold_until
              AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.kind = @hold_kind AND o.subject_id = b.booking_id::text)
            UNION ALL
            SELECT @start_kind, b.booking_id FROM bookings b
            WHERE b.status = 'confirmed' AND lower(b.period) > @now AND lower(b.period) <= @start_until
              AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.kind = @start_kind AND o.subject_id = b.booking_id::text)
            """);
        command.With("hold_kind", DbValues.Name(NotificationKind.HoldExpiring)).With("start_kind", DbValues.Name(NotificationKind.StartsSoon))
            .WithTime("now", now).WithTime("hold_until", now + holdLead).WithTime("start_until", now + startLead);
        var due = new List<DueReminder>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueReminder(DbValues.Parse<NotificationKind>(reader.GetString(0)), reader.GetGuid(1)));
        }

        return due;
    }

    private static OutboxMessage Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        DbValues.Parse<NotificationKind>(reader.GetString(1)),
        reader.GetString(2),
        reader.GetGuid(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        DbValues.Parse<OutboxStatus>(reader.GetString(8)),
        reader.GetInt32(9),
        reader.GetTime(10),
        reader.GetStringOrNull(11),
        reader.GetTime(12),
        reader.GetTimeOrNull(13));
}
