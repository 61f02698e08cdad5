using System.Data.Common;
using System.Globalization;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Loyalty;
using ParkingLot.Cloud.Payments;
using ParkingLot.Shared;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// Payments, refunds and the booking moves they cause, written once for both stores: the SQL below is
/// plain enough for SQLite and PostgreSQL alike, and the two subclasses supply only what differs (how
/// a write transaction starts and locks a booking, how ids and times are stored, the booking row's
/// columns). Every status a booking is written with is checked against <see cref="BookingLifecycle"/>.
/// </summary>
internal abstract class PaymentStore : IPaymentStore
{
    private const string PaymentColumns = """
        payment_id, booking_id, user_id, attempt, idempotency_key, gateway, intent_id, status, amount_minor, currency,
        lot_id, error, created_at, succeeded_at, tier_discount_minor, points_redeemed
        """;

    private const string RefundColumns = """
        refund_id, payment_id, booking_id, lot_id, amount_minor, currency, status, gateway_refund_id, reason, created_at, completed_at
        """;

    /// <summary>A write transaction: on the embedded store behind its one writer, on PostgreSQL an ordinary one.</summary>
    protected abstract Task<WriteScope> BeginAsync(CancellationToken cancellationToken);

    /// <summary>Opens a connection for reads.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The booking, locked against other writers until the transaction ends.</summary>
    protected abstract Task<Booking?> LockBookingAsync(WriteScope scope, Guid bookingId, CancellationToken cancellationToken);

    /// <summary>Writes the lifecycle columns of a booking (status, expiry, cancellation, refund, pass revocation, version).</summary>
    protected abstract Task WriteBookingAsync(WriteScope scope, Booking booking, CancellationToken cancellationToken);

    protected abstract object Id(Guid id);

    protected abstract Guid ReadId(DbDataReader reader, int ordinal);

    protected abstract object Time(DateTimeOffset? time);

    protected abstract DateTimeOffset? ReadTime(DbDataReader reader, int ordinal);

    public async Task<PaymentStartResult> StartAsync(PaymentStart request, CancellationToken cancellationToken)
    {
        await using var scope = await BeginAsync(cancellationToken);
        var booking = await LockBookingAsync(scope, request.BookingId, cancellationToken);
        if (booking is null || !string.Equals(booking.UserId, request.UserId, StringComparison.Ordinal))
        {
            return new PaymentStartResult(PaymentStartStatus.NotFound);
        }

        if (request.IdempotencyKey is { } key)
        {
            var earlier = await ReadPaymentsAsync(scope.Command(
                $"SELECT {PaymentColumns} FROM payments WHERE user_id = @user AND idempotency_key = @key",
                ("@user", request.UserId), ("@key", key)), cancellationToken);
            if (earlier.Count > 0)
            {
                return earlier[0].BookingId == request.BookingId
                    ? new PaymentStartResult(PaymentStartStatus.Replayed, earlier[0], booking)
                    : new PaymentStartResult(PaymentStartStatus.KeyReused, earlier[0], booking);
            }
        }

        var attempts = await ReadPaymentsAsync(scope.Command(
            $"SELECT {PaymentColumns} FROM payments WHERE booking_id = @booking ORDER BY attempt", ("@booking", Id(request.BookingId))),
            cancellationToken);
        if (attempts.FirstOrDefault(p => p.Status == PaymentStatus.Pending) is { } open && booking.StatusAt(request.Now) == BookingStatus.Held)
        {
            return new PaymentStartResult(PaymentStartStatus.Joined, open, booking);
        }

        if (booking.StatusAt(request.Now) != BookingStatus.Held)
        {
            return new PaymentStartResult(PaymentStartStatus.NotPayable, attempts.Count > 0 ? attempts[^1] : null, booking);
        }

        // Loyalty: the tier's discount first, then the points the caller redeems (LoyaltyRules).
        var (balance, earned) = await PointsAsync(scope.Connection, scope.Transaction, request.UserId, cancellationToken);
        var tierDiscount = LoyaltyRules.TierDiscount(booking.Amount.Minor, LoyaltyRules.TierOf(earned));
        var redeemable = LoyaltyRules.MaxRedeemable(booking.Amount.Minor - tierDiscount, balance);
        if (request.RedeemPoints < 0 || request.RedeemPoints > redeemable)
        {
            return new PaymentStartResult(PaymentStartStatus.PointsUnavailable, Booking: booking, RedeemablePoints: redeemable);
        }

        var payment = new Payment(
            request.PaymentId, booking.Id, request.UserId, attempts.Count + 1, request.IdempotencyKey, request.Gateway, null,
            PaymentStatus.Pending, booking.Amount with { Minor = booking.Amount.Minor - tierDiscount - request.RedeemPoints }, booking.LotId, null,
            request.Now, null, tierDiscount, request.RedeemPoints);
        await scope.Command(
            $"""
            INSERT INTO payments ({PaymentColumns})
            VALUES (@id, @booking, @user, @attempt, @key, @gateway, NULL, 'pending', @minor, @currency, @lot, NULL, @created, NULL, @discount, @redeemed)
            """,
            ("@id", Id(payment.Id)), ("@booking", Id(payment.BookingId)), ("@user", payment.UserId), ("@attempt", payment.Attempt),
            ("@key", payment.IdempotencyKey), ("@gateway", DbValues.Name(payment.Gateway)), ("@minor", payment.Amount.Minor),
            ("@currency", payment.Amount.Currency), ("@lot", payment.LotId), ("@created", Time(payment.CreatedAt)),
            ("@discount", tierDiscount), ("@redeemed", request.RedeemPoints))
            .ExecuteNonQueryAsync(cancellationToken);
        await AddPointsAsync(scope, payment, "redeemed", -payment.PointsRedeemed, request.Now, cancellationToken);

        // A hold being paid is not expired under the payer: stretch it, but never past the limit.
        var extended = Max(booking.ExpiresAt!.Value, Min(request.ExtendHoldTo, booking.CreatedAt + request.MaxHold));
        if (extended != booking.ExpiresAt)
        {
            booking = booking with { ExpiresAt = extended, Version = booking.Version + 1 };
            await WriteBookingAsync(scope, booking, cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
        return new PaymentStartResult(PaymentStartStatus.Started, payment, booking);
    }

    public async Task AttachIntentAsync(Guid paymentId, string intentId, CancellationToken cancellationToken)
    {
        await using var scope = await BeginAsync(cancellationToken);
        await scope.Command(
            "UPDATE payments SET intent_id = @intent WHERE payment_id = @id AND (intent_id IS NULL OR intent_id = @intent)",
            ("@id", Id(paymentId)), ("@intent", intentId)).ExecuteNonQueryAsync(cancellationToken);
        await scope.CommitAsync(cancellationToken);
    }

    public async Task<PaymentOutcome> SucceedAsync(
        string intentId, Guid? paymentId, string? eventId, DateTimeOffset now, Guid refundId, CancellationToken cancellationToken)
    {
        await using var scope = await BeginAsync(cancellationToken);
        var (payment, booking) = await LockByIntentAsync(scope, intentId, paymentId, cancellationToken);
        if (payment is null || booking is null)
        {
            return new PaymentOutcome(PaymentOutcomeStatus.UnknownIntent);
        }

        if (!await RecordEventAsync(scope, eventId, "payment_intent.succeeded", now, cancellationToken) || payment.Status == PaymentStatus.Succeeded)
        {
            return new PaymentOutcome(PaymentOutcomeStatus.AlreadyApplied, payment, booking);
        }

        payment = payment with { Status = PaymentStatus.Succeeded, Error = null, SucceededAt = now };
        await scope.Command(
            "UPDATE payments SET status = 'succeeded', error = NULL, succeeded_at = @now WHERE payment_id = @id",
            ("@id", Id(payment.Id)), ("@now", Time(now))).ExecuteNonQueryAsync(cancellationToken);

        Refund? refund = null;
        if (booking.StatusAt(now) == BookingStatus.Held)
        {
            booking = Move(booking, BookingStatus.Confirmed, now) with { ExpiresAt = null };
            await WriteBookingAsync(scope, booking, cancellationToken);
            await AddPointsAsync(scope, payment, "earned", LoyaltyRules.PointsFor(payment.Amount.Minor), now, cancellationToken);
        }
        else
        {
            // Paid too late (the hold expired or was cancelled meanwhile): the money goes back in full, and the points.
            refund = await InsertRefundAsync(scope, refundId, payment, payment.Amount.Minor, "paid after the booking stopped being held", now, cancellationToken);
            await AddPointsAsync(scope, payment, "restored", payment.PointsRedeemed, now, cancellationToken);
        }

        await scope.CommitAsync(cancellationToken);
        return new PaymentOutcome(refund is null ? PaymentOutcomeStatus.Applied : PaymentOutcomeStatus.RefundDue, payment, booking, refund);
    }

    public async Task<PaymentOutcome> FailAsync(
        string intentId, Guid? paymentId, string? eventId, string error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = await BeginAsync(cancellationToken);
        var (payment, booking) = await LockByIntentAsync(scope, intentId, paymentId, cancellationToken);
        if (payment is null || booking is null)
        {
            return new PaymentOutcome(PaymentOutcomeStatus.UnknownIntent);
        }

        if (!await RecordEventAsync(scope, eventId, "payment_intent.payment_failed", now, cancellationToken) || payment.Status != PaymentStatus.Pending)
        {
            return new PaymentOutcome(PaymentOutcomeStatus.AlreadyApplied, payment, booking);
        }

        payment = payment with { Status = PaymentStatus.Failed, Error = error };
        await scope.Command("UPDATE payments SET status = 'failed', error = @error WHERE payment_id = @id", ("@id", Id(payment.Id)), ("@error", error))
            .ExecuteNonQueryAsync(cancellationToken);
        await AddPointsAsync(scope, payment, "restored", payment.PointsRedeemed, now, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return new PaymentOutcome(PaymentOutcomeStatus.Applied, payment, booking);
    }

    public async Task<CancelResult> CancelAsync(
        Guid bookingId, string userId, DateTimeOffset now, Func<Booking, long, long> refundOf, Guid refundId, CancellationToken cancellationToken)
    {
        await using var scope = await BeginAsync(cancellationToken);
        var booking = await LockBookingAsync(scope, bookingId, cancellationToken);
        if (booking is null || !string.Equals(booking.UserId, userId, StringComparison.Ordinal))
        {
            return new CancelResult(CancelStatus.NotFound);
        }

        var status = booking.StatusAt(now);
        if (!BookingLifecycle.CanMove(status, BookingStatus.Cancelled))
        {
            return new CancelResult(CancelStatus.NotCancellable, booking);
        }

        // Only a confirmed booking was paid: by the first attempt that succeeded (a later one that also
        // succeeds finds the booking confirmed and is refunded in full by SucceedAsync).
        var paid = status == BookingStatus.Confirmed
            ? (await ReadPaymentsAsync(scope.Command(
                $"SELECT {PaymentColumns} FROM payments WHERE booking_id = @booking AND status = 'succeeded' ORDER BY attempt",
                ("@booking", Id(bookingId))), cancellationToken)) is [var first, ..] ? first : null
            : null;
        var refundMinor = paid is null ? 0 : Math.Clamp(refundOf(booking, paid.Amount.Minor), 0, paid.Amount.Minor);
        booking = Move(booking with { Status = status }, BookingLifecycle.Cancelled(refundMinor), now) with
        {
            CancelledAt = now, RefundMinor = refundMinor, ExpiresAt = status == BookingStatus.Held ? booking.ExpiresAt : null,
        };
        await WriteBookingAsync(scope, booking, cancellationToken);
        var refund = refundMinor > 0
            ? await InsertRefundAsync(scope, refundId, paid!, refundMinor, "cancelled by the driver (lot refund policy)", now, cancellationToken)
            : null;
        if (refund is not null)
        {
            // Money back means the points it earned go too, and the points it used come back.
            var earnedByPayment = Convert.ToInt64(
                await scope.Command(
                    "SELECT COALESCE(SUM(points), 0) FROM loyalty_ledger WHERE payment_id = @payment AND kind = 'earned'", ("@payment", Id(paid!.Id)))
                    .ExecuteScalarAsync(cancellationToken),
                CultureInfo.InvariantCulture);
            await AddPointsAsync(scope, paid, "reversed", -earnedByPayment, now, cancellationToken);
            await AddPointsAsync(scope, paid, "restored", paid.PointsRedeemed, now, cancellationToken);
        }
        await scope.CommitAsync(cancellationToken);
        return new CancelResult(CancelStatus.Cancelled, booking, refund);
    }

    public async Task<Refund?> CompleteRefundAsync(Guid refundId, string? gatewayRefundId, bool succeeded, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = await BeginAsync(cancellationToken);
        await scope.Command(
            "UPDATE refunds SET status = @status, gateway_refund_id = @gateway, completed_at = @now WHERE refund_id = @id AND status = 'pending'",
            ("@id", Id(refundId)), ("@status", succeeded ? "succeeded" : "failed"), ("@gateway", gatewayRefundId), ("@now", Time(now)))
            .ExecuteNonQueryAsync(cancellationToken);
        var refunds = await ReadRefundsAsync(scope.Command($"SELECT {RefundColumns} FROM refunds WHERE refund_id = @id", ("@id", Id(refundId))), cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return refunds.Count > 0 ? refunds[0] : null;
    }

    public async Task<IReadOnlyList<Payment>> ListPaymentsAsync(Guid bookingId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadPaymentsAsync(
            WriteScope.Command(connection, null, $"SELECT {PaymentColumns} FROM payments WHERE booking_id = @booking ORDER BY attempt", ("@booking", Id(bookingId))),
            cancellationToken);
    }

    public async Task<IReadOnlyList<Refund>> ListRefundsAsync(Guid bookingId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadRefundsAsync(
            WriteScope.Command(connection, null, $"SELECT {RefundColumns} FROM refunds WHERE booking_id = @booking ORDER BY created_at, refund_id", ("@booking", Id(bookingId))),
            cancellationToken);
    }

    public async Task<IReadOnlyList<Refund>> ListPendingRefundsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadRefundsAsync(
            WriteScope.Command(connection, null, $"SELECT {RefundColumns} FROM refunds WHERE status = 'pending' ORDER BY created_at, refund_id LIMIT @limit", ("@limit", limit)),
            cancellationToken);
    }

    public async Task<LoyaltyAccount> LoyaltyAsync(string userId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var (balance, earned) = await PointsAsync(connection, null, userId, cancellationToken);

        await using var list = WriteScope.Command(
            connection, null,
            "SELECT entry_id, booking_id, payment_id, kind, points, created_at FROM loyalty_ledger WHERE user_id = @user ORDER BY created_at DESC, entry_id DESC LIMIT @limit",
            ("@user", userId), ("@limit", limit));
        var entries = new List<LoyaltyEntry>();
        await using (var r = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                entries.Add(new LoyaltyEntry(ReadId(r, 0), ReadId(r, 1), ReadId(r, 2), r.GetString(3), r.GetInt64(4), ReadTime(r, 5)!.Value));
            }
        }

        return new LoyaltyAccount(balance, earned, LoyaltyRules.TierOf(earned), entries);
    }

    public async Task<IReadOnlyList<RevenueLine>> RevenueAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = WriteScope.Command(
            connection,
            null,
            """
            SELECT lot_id, gateway, currency, CAST(SUM(paid) AS BIGINT), CAST(SUM(refunded) AS BIGINT) FROM (
                SELECT lot_id, gateway, currency, amount_minor AS paid, 0 AS refunded FROM payments
                WHERE status = 'succeeded' AND succeeded_at >= @from AND succeeded_at < @to
                UNION ALL
                SELECT r.lot_id, p.gateway, r.currency, 0, r.amount_minor FROM refunds r JOIN payments p ON p.payment_id = r.payment_id
                WHERE r.status = 'succeeded' AND r.completed_at >= @from AND r.completed_at < @to
            ) money
            GROUP BY lot_id, gateway, currency
            ORDER BY lot_id, gateway, currency
            """,
            ("@from", Time(from)), ("@to", Time(to)));
        var lines = new List<RevenueLine>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            lines.Add(new RevenueLine(r.GetString(0), DbValues.Parse<PaymentGatewayKind>(r.GetString(1)), r.GetString(2), r.GetInt64(3), r.GetInt64(4)));
        }

        return lines;
    }

    /// <summary>A booking moved along the state machine; an illegal move is a bug, never a silent write.</summary>
    private static Booking Move(Booking booking, BookingStatus to, DateTimeOffset now)
    {
        var from = booking.StatusAt(now);
        if (!BookingLifecycle.CanMove(from, to))
        {
            throw new InvalidOperationException($"Booking {booking.Id}: {DbValues.Name(from)} → {DbValues.Name(to)} is not a move of the booking state machine.");
        }

        return booking with
        {
            Status = to,
            Version = booking.Version + 1,
            PassRevokedAt = BookingLifecycle.RevokesPass(from, to) ? now : booking.PassRevokedAt,
        };
    }

    /// <summary>
    /// The payment of an intent and its booking, locked. Stripe may send the webhook before the call that
    /// created the intent has returned and stored its id: then the payment id in the intent's metadata
    /// finds the attempt, and the intent id is stored on it here.
    /// </summary>
    private async Task<(Payment? Payment, Booking? Booking)> LockByIntentAsync(WriteScope scope, string intentId, Guid? paymentId, CancellationToken cancellationToken)
    {
        var found = await FindByIntentAsync(scope, intentId, paymentId, cancellationToken);
        if (found is null)
        {
            return (null, null);
        }

        var booking = await LockBookingAsync(scope, found.BookingId, cancellationToken);
        // Read again under the booking's lock: another event of the same booking may have committed meanwhile.
        var payment = (await FindByIntentAsync(scope, intentId, paymentId, cancellationToken))!;
        if (payment.IntentId is null)
        {
            await scope.Command("UPDATE payments SET intent_id = @intent WHERE payment_id = @id", ("@id", Id(payment.Id)), ("@intent", intentId))
                .ExecuteNonQueryAsync(cancellationToken);
            payment = payment with { IntentId = intentId };
        }

        return (payment, booking);
    }

    private async Task<Payment?> FindByIntentAsync(WriteScope scope, string intentId, Guid? paymentId, CancellationToken cancellationToken)
    {
        var found = await ReadPaymentsAsync(
            scope.Command(
                $"SELECT {PaymentColumns} FROM payments WHERE intent_id = @intent OR (payment_id = @payment AND intent_id IS NULL)",
                ("@intent", intentId), ("@payment", paymentId is { } id ? Id(id) : null)),
            cancellationToken);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>The user's balance and points earned (net of reversals).</summary>
    private static async Task<(long Balance, long Earned)> PointsAsync(DbConnection connection, DbTransaction? transaction, string userId, CancellationToken cancellationToken)
    {
        await using var command = WriteScope.Command(
            connection,
            transaction,
            "SELECT COALESCE(SUM(points), 0), COALESCE(SUM(CASE WHEN kind IN ('earned', 'reversed') THEN points ELSE 0 END), 0) FROM loyalty_ledger WHERE user_id = @user",
            ("@user", userId));
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture));
    }

    /// <summary>Appends a ledger entry (nothing for zero points).</summary>
    private async Task AddPointsAsync(WriteScope scope, Payment payment, string kind, long points, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (points == 0)
        {
            return;
        }

        await using var command = scope.Command(
            "INSERT INTO loyalty_ledger (entry_id, user_id, booking_id, payment_id, kind, points, created_at) VALUES (@id, @user, @booking, @payment, @kind, @points, @now)",
            ("@id", Id(Guid.CreateVersion7(now))), ("@user", payment.UserId), ("@booking", Id(payment.BookingId)), ("@payment", Id(payment.Id)),
            ("@kind", kind), ("@points", points), ("@now", Time(now)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>False when the event was applied before (a replay); no id (the test gateway) always applies.</summary>
    private async Task<bool> RecordEventAsync(WriteScope scope, string? eventId, string type, DateTimeOffset now, CancellationToken cancellationToken) =>
        eventId is null || await scope.Command(
            "INSERT INTO payment_events (event_id, type, received_at) VALUES (@id, @type, @now) ON CONFLICT DO NOTHING",
            ("@id", eventId), ("@type", type), ("@now", Time(now))).ExecuteNonQueryAsync(cancellationToken) == 1;

    private async Task<Refund> InsertRefundAsync(
        WriteScope scope, Guid refundId, Payment payment, long minor, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var refund = new Refund(refundId, payment.Id, payment.BookingId, payment.LotId, new Money(minor, payment.Amount.Currency), RefundStatus.Pending, null, reason, now, null);
        await scope.Command(
            $"INSERT INTO refunds ({RefundColumns}) VALUES (@id, @payment, @booking, @lot, @minor, @currency, 'pending', NULL, @reason, @now, NULL)",
            ("@id", Id(refund.Id)), ("@payment", Id(refund.PaymentId)), ("@booking", Id(refund.BookingId)), ("@lot", refund.LotId),
            ("@minor", minor), ("@currency", refund.Amount.Currency), ("@reason", reason), ("@now", Time(now)))
            .ExecuteNonQueryAsync(cancellationToken);
        return refund;
    }

    private async Task<IReadOnlyList<Payment>> ReadPaymentsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            var payments = new List<Payment>();
            await using var r = await command.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                payments.Add(new Payment(
                    ReadId(r, 0), ReadId(r, 1), r.GetString(2), r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4),
                    DbValues.Parse<PaymentGatewayKind>(r.GetString(5)), r.IsDBNull(6) ? null : r.GetString(6), DbValues.Parse<PaymentStatus>(r.GetString(7)),
                    new Money(r.GetInt64(8), r.GetString(9)), r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11), ReadTime(r, 12)!.Value, ReadTime(r, 13),
                    r.GetInt64(14), r.GetInt64(15)));
            }

            return payments;
        }
    }

    private async Task<IReadOnlyList<Refund>> ReadRefundsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            var refunds = new List<Refund>();
            await using var r = await command.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                refunds.Add(new Refund(
                    ReadId(r, 0), ReadId(r, 1), ReadId(r, 2), r.GetString(3), new Money(r.GetInt64(4), r.GetString(5)),
                    DbValues.Parse<RefundStatus>(r.GetString(6)), r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8), ReadTime(r, 9)!.Value, ReadTime(r, 10)));
            }

            return refunds;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>A connection and its open write transaction; disposing without commit rolls back.</summary>
    protected abstract class WriteScope : IAsyncDisposable
    {
        public abstract DbConnection Connection { get; }

        public abstract DbTransaction Transaction { get; }

        public DbCommand Command(string sql, params (string Name, object? Value)[] parameters) => Command(Connection, Transaction, sql, parameters);

        public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            return command;
        }

        public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

        public abstract ValueTask DisposeAsync();
    }
}
