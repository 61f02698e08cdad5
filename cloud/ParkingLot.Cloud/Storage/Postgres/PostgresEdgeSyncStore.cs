using Npgsql;
using NpgsqlTypes;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Storage.Postgres;

/// <summary>
/// Edge ingest on PostgreSQL. Each lot's ingest transactions take turns on a transaction-scoped
/// advisory lock of the lot (also across cloud instances), so the cursor read in
/// <see cref="BeginAsync"/> stays true until commit even for the first batch of an epoch, when there
/// is no cursor row to lock yet.
/// </summary>
internal sealed class PostgresEdgeSyncStore(NpgsqlDataSource dataSource) : IEdgeSyncStore
{
    public async Task<IEdgeSyncTransaction?> BeginAsync(string lotId, long epoch, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var take = connection.Command(transaction, "SELECT pg_advisory_xact_lock(hashtextextended('edge-sync:' || @lot, 0))"))
            {
                take.With("lot", lotId);
                await take.ExecuteNonQueryAsync(cancellationToken);
            }

            if (!await PostgresLotStore.LotExistsAsync(connection, transaction, lotId, cancellationToken))
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
                return null;
            }

            EdgeCursor cursor;
            await using (var command = connection.Command(transaction, "SELECT high_water, last_hash FROM edge_cursors WHERE lot_id = @lot AND epoch = @epoch"))
            {
                command.With("lot", lotId).With("epoch", epoch);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                cursor = await reader.ReadAsync(cancellationToken)
                    ? new EdgeCursor(reader.GetInt64(0), reader.GetString(1))
                    : new EdgeCursor(0, LedgerHash.Genesis);
            }

            return new Transaction(connection, transaction, lotId, epoch, cursor);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<bool> RecordEdgeStateAsync(EdgeState state, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        // The INSERT … SELECT writes nothing for an unknown lot, which the row count reports.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO edge_health (lot_id, online, agent_version, boot_id, epoch, last_seq, backlog, time_quality, sent_at, received_at)
            SELECT @lot, @online, @version, @boot, @epoch, @last, @backlog, @quality, @sent, @received
            WHERE EXISTS (SELECT 1 FROM lots WHERE lot_id = @lot)
            ON CONFLICT (lot_id) DO UPDATE SET online = excluded.online, agent_version = excluded.agent_version,
                boot_id = excluded.boot_id, epoch = excluded.epoch, last_seq = excluded.last_seq, backlog = excluded.backlog,
                time_quality = excluded.time_quality, sent_at = excluded.sent_at, received_at = excluded.received_at
            """);
        command.With("lot", state.LotId).With("online", state.Online).With("version", state.AgentVersion)
            .With("boot", state.BootId).With("epoch", state.Epoch).With("last", state.LastSeq)
            .With("backlog", state.Backlog).With("quality", DbValues.Name(state.TimeQuality))
            .WithTime("sent", state.SentAt).WithTime("received", receivedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<LotAck>> ListLatestAcksAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT DISTINCT ON (lot_id) lot_id, epoch, high_water FROM edge_cursors
            ORDER BY lot_id, epoch DESC
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var acks = new List<LotAck>();
        while (await reader.ReadAsync(cancellationToken))
        {
            acks.Add(new LotAck(reader.GetString(0), new CloudAck(reader.GetInt64(1), reader.GetInt64(2))));
        }

        return acks;
    }

    public async Task<EdgeSyncStatus?> GetStatusAsync(string lotId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await PostgresLotStore.LotExistsAsync(connection, null, lotId, cancellationToken))
        {
            return null;
        }

        var epochs = new List<EpochStatus>();
        await using (var command = connection.Command(null, """
            SELECT c.epoch, c.high_water, (SELECT count(*) FROM edge_events e WHERE e.lot_id = c.lot_id AND e.epoch = c.epoch)
            FROM edge_cursors c WHERE c.lot_id = @lot ORDER BY c.epoch
            """))
        {
            command.With("lot", lotId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                epochs.Add(new EpochStatus(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        var totals = new List<Money>();
        await using (var command = connection.Command(null, "SELECT currency, sum(amount_minor)::bigint FROM edge_payments WHERE lot_id = @lot GROUP BY currency ORDER BY currency"))
        {
            command.With("lot", lotId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                totals.Add(new Money(reader.GetInt64(1), reader.GetString(0)));
            }
        }

        EdgeHealth? health = null;
        await using (var command = connection.Command(null, """
            SELECT online, agent_version, boot_id, epoch, last_seq, backlog, time_quality, sent_at, received_at
            FROM edge_health WHERE lot_id = @lot
            """))
        {
            command.With("lot", lotId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                health = new EdgeHealth(
                    reader.GetBoolean(0), reader.GetString(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), DbValues.Parse<TimeQuality>(reader.GetString(6)), reader.GetTime(7), reader.GetTime(8));
            }
        }

        return new EdgeSyncStatus(lotId, epochs, totals, health);
    }

    /// <summary>One ingest transaction; the per-event commands are prepared once and re-bound per event.</summary>
    private sealed class Transaction(NpgsqlConnection connection, NpgsqlTransaction transaction, string lotId, long epoch, EdgeCursor cursor)
        : IEdgeSyncTransaction
    {
        private NpgsqlCommand? _insertEvent;
        private NpgsqlCommand? _setOccupancy;
        private bool _disposed;

        public EdgeCursor Cursor { get; } = cursor;

        public async Task<string?> GetEventHashAsync(long seq, CancellationToken cancellationToken)
        {
            await using var command = connection.Command(transaction, "SELECT hash FROM edge_events WHERE lot_id = @lot AND epoch = @epoch AND seq = @seq");
            command.With("lot", lotId).With("epoch", epoch).With("seq", seq);
            return await command.ExecuteScalarAsync(cancellationToken) as string;
        }

        public async Task InsertEventAsync(LedgerEvent ledgerEvent, DateTimeOffset receivedAt, CancellationToken cancellationToken)
        {
            if (_insertEvent is null)
            {
                // ON CONFLICT: applying an event twice is a no-op (I4), whatever reached the store first.
                _insertEvent = connection.Command(transaction, """
                    INSERT INTO edge_events (lot_id, epoch, seq, id, type, occurred_at, time_quality, payload, prev_hash, hash, received_at)
                    VALUES (@lot, @epoch, @seq, @id, @type, @occurred, @quality, @payload, @prev, @hash, @received)
                    ON CONFLICT (lot_id, epoch, seq) DO NOTHING
                    """);
                _insertEvent.With("lot", lotId).With("epoch", epoch);
                _insertEvent.Parameters.Add("seq", NpgsqlDbType.Bigint);
                _insertEvent.Parameters.Add("id", NpgsqlDbType.Uuid);
                _insertEvent.Parameters.Add("occurred", NpgsqlDbType.TimestampTz);
                _insertEvent.Parameters.Add("received", NpgsqlDbType.TimestampTz);
                foreach (var name in (string[])["type", "quality", "payload", "prev", "hash"])
                {
                    _insertEvent.Parameters.Add(name, NpgsqlDbType.Text);
                }

                await _insertEvent.PrepareAsync(cancellationToken);
            }

            var p = _insertEvent.Parameters;
            p["seq"].Value = ledgerEvent.Seq;
            p["id"].Value = ledgerEvent.Id;
            p["type"].Value = ledgerEvent.Type;
            p["occurred"].Value = ledgerEvent.OccurredAt.ToUniversalTime();
            p["quality"].Value = DbValues.Name(ledgerEvent.TimeQuality);
            p["payload"].Value = ledgerEvent.Payload.GetRawText();
            p["prev"].Value = ledgerEvent.PrevHash;
            p["hash"].Value = ledgerEvent.Hash;
            p["received"].Value = receivedAt.ToUniversalTime();
            await _insertEvent.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<bool> SetSpotOccupancyAsync(string spotId, bool occupied, CancellationToken cancellationToken)
        {
            if (_setOccupancy is null)
            {
                _setOccupancy = connection.Command(transaction, "UPDATE spots SET occupied = @occupied WHERE lot_id = @lot AND spot_id = @spot");
                _setOccupancy.With("lot", lotId);
                _setOccupancy.Parameters.Add("occupied", NpgsqlDbType.Boolean);
                _setOccupancy.Parameters.Add("spot", NpgsqlDbType.Text);
                await _setOccupancy.PrepareAsync(cancellationToken);
            }

            _setOccupancy.Parameters["occupied"].Value = occupied;
            _setOccupancy.Parameters["spot"].Value = spotId;
            return await _setOccupancy.ExecuteNonQueryAsync(cancellationToken) > 0;
        }

        public async Task AddVehiclesInAsync(VehicleType vehicleType, int delta, CancellationToken cancellationToken)
        {
            await using var command = connection.Command(transaction, """
                INSERT INTO lot_vehicles (lot_id, vehicle_type, vehicles_in) VALUES (@lot, @type, @delta)
                ON CONFLICT (lot_id, vehicle_type) DO UPDATE SET vehicles_in = lot_vehicles.vehicles_in + excluded.vehicles_in
                """);
            command.With("lot", lotId).With("type", DbValues.Name(vehicleType)).With("delta", (long)delta);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task InsertPaymentAsync(long seq, DateTimeOffset occurredAt, PaymentRecorded payment, CancellationToken cancellationToken)
        {
            // ON CONFLICT DO NOTHING: a payment id recorded twice by the edge is still one payment (I5).
            await using var command = connection.Command(transaction, """
                INSERT INTO edge_payments (lot_id, payment_id, ticket_id, amount_minor, currency, method, tariff_version, epoch, seq, occurred_at)
                VALUES (@lot, @payment, @ticket, @minor, @currency, @method, @tariff, @epoch, @seq, @occurred)
                ON CONFLICT (lot_id, payment_id) DO NOTHING
                """);
            command.With("lot", lotId).With("payment", payment.PaymentId).With("ticket", payment.TicketId)
                .With("minor", payment.Amount.Minor).With("currency", payment.Amount.Currency).With("method", DbValues.Name(payment.Method))
                .With("tariff", payment.TariffVersion).With("epoch", epoch).With("seq", seq).WithTime("occurred", occurredAt);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task AdvanceCursorAsync(EdgeCursor cursor, DateTimeOffset updatedAt, CancellationToken cancellationToken)
        {
            await using var command = connection.Command(transaction, """
                INSERT INTO edge_cursors (lot_id, epoch, high_water, last_hash, updated_at) VALUES (@lot, @epoch, @hw, @hash, @at)
                ON CONFLICT (lot_id, epoch) DO UPDATE SET high_water = excluded.high_water, last_hash = excluded.last_hash, updated_at = excluded.updated_at
                """);
            command.With("lot", lotId).With("epoch", epoch).With("hw", cursor.HighWater).With("hash", cursor.LastHash).WithTime("at", updatedAt);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<LotAvailability> ReadAvailabilityAsync(DateTimeOffset asOf, CancellationToken cancellationToken) =>
            await PostgresLotStore.ReadAvailabilityAsync(connection, transaction, lotId, asOf, cancellationToken)
            ?? throw new InvalidOperationException($"Lot '{lotId}' vanished inside its ingest transaction.");

        public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_insertEvent is not null)
            {
                await _insertEvent.DisposeAsync();
            }

            if (_setOccupancy is not null)
            {
                await _setOccupancy.DisposeAsync();
            }

            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
