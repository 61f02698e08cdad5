using System.Data.Common;
using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Bookings;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// Payments on the embedded store: every write runs behind the file's one writer (<c>BEGIN IMMEDIATE</c>),
/// so a booking read inside stays as read until commit. Ids are text, times ISO 8601 text.
/// </summary>
internal sealed class SqlitePaymentStore(SqliteDatabase database) : PaymentStore
{
    protected override async Task<WriteScope> BeginAsync(CancellationToken cancellationToken) =>
        new SqliteScope(await SqliteWriter.BeginAsync(database, cancellationToken));

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    protected override Task<Booking?> LockBookingAsync(WriteScope scope, Guid bookingId, CancellationToken cancellationToken) =>
        SqliteBookingStore.GetAsync((SqliteConnection)scope.Connection, (SqliteTransaction)scope.Transaction, bookingId, cancellationToken);

    protected override async Task WriteBookingAsync(WriteScope scope, Booking booking, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            UPDATE bookings SET status = @status, expires_at_ms = @expires, cancelled_at = @cancelled, refund_minor = @refund,
                pass_revoked_at = @revoked, version = @version
            WHERE booking_id = @id
            """,
            ("@id", Id(booking.Id)), ("@status", DbValues.Name(booking.Status)),
            ("@expires", booking.ExpiresAt is { } expires ? DbValues.Ms(expires) : null), ("@cancelled", Time(booking.CancelledAt)),
            ("@refund", booking.RefundMinor), ("@revoked", Time(booking.PassRevokedAt)), ("@version", booking.Version));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override object Id(Guid id) => id.ToString("D");

    protected override Guid ReadId(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    protected override object Time(DateTimeOffset? time) => time is { } t ? DbValues.Time(t) : DBNull.Value;

    protected override DateTimeOffset? ReadTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : DbValues.ParseTime(reader.GetString(ordinal));

    private sealed class SqliteScope(SqliteWriter writer) : WriteScope
    {
        public override DbConnection Connection => writer.Connection;

        public override DbTransaction Transaction => writer.Transaction;

        public override ValueTask DisposeAsync() => writer.DisposeAsync();
    }
}
