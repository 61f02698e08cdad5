using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Storage;

/// <summary>Edge ingest on the embedded SQLite store: one writer at a time, durable commits.</summary>
internal sealed class SqliteEdgeSyncStore(SqliteDatabase database) : IEdgeSyncStore
{
    // The file's one writer (shared with bookings and lot administration): the cursor read in
    // BeginAsync stays true until commit.
    private readonly SemaphoreSlim _writer = database.WriteLock;

    public async Task<IEdgeSyncTransaction?> BeginAsync(string lotId, long epoch, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        SqliteConnection? connection = null;
        SqliteTransaction? transaction = null;
        try
        {
            connection = await database.OpenAsync(cancellationToken);
            transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            if (!await SqliteLotStore.LotExistsAsync(connection, transaction, lotId, cancellationToken))
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
                _writer.Release();
                return null;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT high_water, last_hash FROM edge_cursors WHERE lot_id = $lot AND epoch = $epoch";
            command.With("$lot", lotId).With("$epoch", epoch);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var cursor = await reader.ReadAsync(cancellationToken)
                ? new EdgeCursor(reader.GetInt64(0), reader.GetString(1))
                : new EdgeCursor(0, LedgerHash.Genesis);
            return new Transaction(this, connection, transaction, lotId, epoch, cursor);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _writer.Release();
            throw;
        }
    }

    public async Task<bool> RecordEdgeStateAsync(EdgeState state, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The INSERT … SELECT writes nothing for an unknown lot, which the row count reports.
        command.CommandText = """
            INSERT INTO edge_health (lot_id, online, agent_version, boot_id, epoch, last_seq, backlog, time_quality, sent_at, received_at)
            SELECT $lot, $online, $version, $boot, $epoch, $last, $backlog, $quality, $sent, $received
            WHERE EXISTS (SELECT 1 FROM lots WHERE lot_id = $lot)
            ON CONFLICT (lot_id) DO UPDATE SET online = excluded.online, agent_version = excluded.agent_version,
                boot_id = excluded.boot_id, epoch = excluded.epoch, last_seq = excluded.last_seq, backlog = excluded.backlog,
                time_quality = excluded.time_quality, sent_at = excluded.sent_at, received_at = excluded.received_at
            """;
        command.With("$lot", state.LotId).With("$online", state.Online).With("$version", state.AgentVersion)
            .With("$boot", state.BootId.ToString("D")).With("$epoch", state.Epoch).With("$last", state.LastSeq)
            .With("$backlog", state.Backlog).With("$quality", DbValues.Name(state.TimeQuality))
            .With("$sent", DbValues.Time(state.SentAt)).With("$received", DbValues.Time(receivedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<LotAck>> ListLatestAcksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.lot_id, c.epoch, c.high_water FROM edge_cursors c
            WHERE c.epoch = (SELECT max(epoch) FROM edge_cursors WHERE lot_id = c.lot_id)
            ORDER BY c.lot_id
            """;
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
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await SqliteLotStore.LotExistsAsync(connection, null, lotId, cancellationToken))
        {
            return null;
        }

        var epochs = new List<EpochStatus>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT c.epoch, c.high_water, (SELECT count(*) FROM edge_events e WHERE e.lot_id = c.lot_id AND e.epoch = c.epoch)
                FROM edge_cursors c WHERE c.lot_id = $lot ORDER BY c.epoch
                """;
            command.With("$lot", lotId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                epochs.Add(new EpochStatus(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        var totals = new List<Money>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT currency, sum(amount_minor) FROM edge_payments WHERE lot_id = $lot GROUP BY currency ORDER BY currency";
            command.With("$lot", lotId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                totals.Add(new Money(reader.GetInt64(1), reader.GetString(0)));
            }
        }

        EdgeHealth? health = null;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT online, agent_version, boot_id, epoch, last_seq, backlog, time_quality, sent_at, received_at
                FROM edge_health WHERE lot_id = $lot
                """;
            command.With("$lot", lotId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                health = new EdgeHealth(
                    reader.GetBoolean(0), reader.GetString(1), Guid.Parse(reader.GetString(2)), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), DbValues.Parse<TimeQuality>(reader.GetString(6)),
                    DateTimeOffset.Parse(reader.GetString(7), System.Globalization.CultureInfo.InvariantCulture),
                    DateTimeOffset.Parse(reader.GetString(8), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return new EdgeSyncStatus(lotId, epochs, totals, health);
    }

    /// <summary>
    /// One ingest transaction. Commands are prepared once per transaction and re-bound per event,
    /// since a catch-up batch can hold thousands of events.
    /// </summary>
    private sealed class Transaction(
        SqliteEdgeSyncStore owner, SqliteConnection connection, SqliteTransaction transaction, string lotId, long epoch, EdgeCursor cursor)
        : IEdgeSyncTransaction
    {
        private SqliteCommand? _insertEvent;
        private SqliteCommand? _setOccupancy;
        private bool _disposed;

        public EdgeCursor Cursor { get; } = cursor;

        public async Task<string?> GetEventHashAsync(long seq, CancellationToken cancellationToken)
        {
            await using var command = Create("SELECT hash FROM edge_events WHERE lot_id = $lot AND epoch = $epoch AND seq = $seq");
            command.With("$lot", lotId).With("$epoch", epoch).With("$seq", seq);
            return await command.ExecuteScalarAsync(cancellationToken) as string;
        }

        public async Task InsertEventAsync(LedgerEvent ledgerEvent, DateTimeOffset receivedAt, CancellationToken cancellationToken)
        {
            if (_insertEvent is null)
            {
                _insertEvent = Create("""
                    INSERT INTO edge_events (lot_id, epoch, seq, id, type, occurred_at, time_quality, payload, prev_hash, hash, received_at)
                    VALUES ($lot, $epoch, $seq, $id, $type, $occurred, $quality, $payload, $prev, $hash, $received)
                    """);
                _insertEvent.With("$lot", lotId).With("$epoch", epoch);
                _insertEvent.Parameters.Add("$seq", SqliteType.Integer);
                foreach (var name in (string[])["$id", "$type", "$occurred", "$quality", "$payload", "$prev", "$hash", "$received"])
                {
                    _insertEvent.Parameters.Add(name, SqliteType.Text);
                }
            }

            var p = _insertEvent.Parameters;
            p["$seq"].Value = ledgerEvent.Seq;
            p["$id"].Value = ledgerEvent.Id.ToString("D");
            p["$type"].Value = ledgerEvent.Type;
            p["$occurred"].Value = DbValues.Time(ledgerEvent.OccurredAt);
            p["$quality"].Value = DbValues.Name(ledgerEvent.TimeQuality);
            p["$payload"].Value = ledgerEvent.Payload.GetRawText();
            p["$prev"].Value = ledgerEvent.PrevHash;
            p["$hash"].Value = ledgerEvent.Hash;
            p["$received"].Value = DbValues.Time(receivedAt);
            await _insertEvent.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<bool> SetSpotOccupancyAsync(string spotId, bool occupied, CancellationToken cancellationToken)
        {
            if (_setOccupancy is null)
            {
                _setOccupancy = Create("UPDATE spots SET occupied = $occupied WHERE lot_id = $lot AND spot_id = $spot");
                _setOccupancy.With("$lot", lotId);
                _setOccupancy.Parameters.Add("$occupied", SqliteType.Integer);
                _setOccupancy.Parameters.Add("$spot", SqliteType.Text);
            }

            _setOccupancy.Parameters["$occupied"].Value = occupied ? 1 : 0;
            _setOccupancy.Parameters["$spot"].Value = spotId;
            return await _setOccupancy.ExecuteNonQueryAsync(cancellationToken) > 0;
        }

        public async Task AddVehiclesInAsync(VehicleType vehicleType, int delta, CancellationToken cancellationToken)
        {
            await using var command = Create("""
                INSERT INTO lot_vehicles (lot_id, vehicle_type, vehicles_in) VALUES ($lot, $type, $delta)
                ON CONFLICT (lot_id, vehicle_type) DO UPDATE SET vehicles_in = vehicles_in + excluded.vehicles_in
                """);
            command.With("$lot", lotId).With("$type", DbValues.Name(vehicleType)).With("$delta", delta);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task InsertPaymentAsync(long seq, DateTimeOffset occurredAt, PaymentRecorded payment, CancellationToken cancellationToken)
        {
            // ON CONFLICT DO NOTHING: a payment id recorded twice by the edge is still one payment (I5).
            await using var command = Create("""
                INSERT INTO edge_payments (lot_id, payment_id, ticket_id, amount_minor, currency, method, tariff_version, epoch, seq, occurred_at)
                VALUES ($lot, $payment, $ticket, $minor, $currency, $method, $tariff, $epoch, $seq, $occurred)
                ON CONFLICT (lot_id, payment_id) DO NOTHING
                """);
            command.With("$lot", lotId).With("$payment", payment.PaymentId).With("$ticket", payment.TicketId)
                .With("$minor", payment.Amount.Minor).With("$currency", payment.Amount.Currency).With("$method", DbValues.Name(payment.Method))
                .With("$tariff", payment.TariffVersion).With("$epoch", epoch).With("$seq", seq).With("$occurred", DbValues.Time(occurredAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task AdvanceCursorAsync(EdgeCursor cursor, DateTimeOffset updatedAt, CancellationToken cancellationToken)
        {
            await using var command = Create("""
                INSERT INTO edge_cursors (lot_id, epoch, high_water, last_hash, updated_at) VALUES ($lot, $epoch, $hw, $hash, $at)
                ON CONFLICT (lot_id, epoch) DO UPDATE SET high_water = excluded.high_water, last_hash = excluded.last_hash, updated_at = excluded.updated_at
                """);
            command.With("$lot", lotId).With("$epoch", epoch).With("$hw", cursor.HighWater).With("$hash", cursor.LastHash).With("$at", DbValues.Time(updatedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async Task<LotAvailability> ReadAvailabilityAsync(DateTimeOffset asOf, CancellationToken cancellationToken) =>
            await SqliteLotStore.ReadAvailabilityAsync(connection, transaction, lotId, asOf, cancellationToken)
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
            owner._writer.Release();
        }

        private SqliteCommand Create(string sql)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return command;
        }
    }
}
