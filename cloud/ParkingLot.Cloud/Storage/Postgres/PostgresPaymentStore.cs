using System.Data.Common;
using Npgsql;
using ParkingLot.Cloud.Bookings;

namespace ParkingLot.Cloud.Storage.Postgres;

/// <summary>
/// Payments on PostgreSQL: each write locks the booking row (<c>SELECT … FOR UPDATE</c>) first, so the
/// payment start, its webhook and a cancellation of one booking take turns on every instance.
/// Ids are uuid, times timestamptz.
/// </summary>
internal sealed class PostgresPaymentStore(NpgsqlDataSource dataSource) : PaymentStore
{
    protected override async Task<WriteScope> BeginAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return new PostgresScope(connection, await connection.BeginTransactionAsync(cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await dataSource.OpenConnectionAsync(cancellationToken);

    protected override Task<Booking?> LockBookingAsync(WriteScope scope, Guid bookingId, CancellationToken cancellationToken) =>
        PostgresBookingStore.GetAsync((NpgsqlConnection)scope.Connection, (NpgsqlTransaction)scope.Transaction, bookingId, forUpdate: true, cancellationToken);

    protected override async Task WriteBookingAsync(WriteScope scope, Booking booking, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            UPDATE bookings SET status = @status, expires_at = @expires, cancelled_at = @cancelled, refund_minor = @refund,
                pass_revoked_at = @revoked, version = @version
            WHERE booking_id = @id
            """,
            ("@id", booking.Id), ("@status", DbValues.Name(booking.Status)), ("@expires", Time(booking.ExpiresAt)),
            ("@cancelled", Time(booking.CancelledAt)), ("@refund", booking.RefundMinor), ("@revoked", Time(booking.PassRevokedAt)),
            ("@version", booking.Version));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override object Id(Guid id) => id;

    protected override Guid ReadId(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    protected override object Time(DateTimeOffset? time) => time is { } t ? t.ToUniversalTime() : DBNull.Value;

    protected override DateTimeOffset? ReadTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private sealed class PostgresScope(NpgsqlConnection connection, NpgsqlTransaction transaction) : WriteScope
    {
        public override DbConnection Connection => connection;

        public override DbTransaction Transaction => transaction;

        public override async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
