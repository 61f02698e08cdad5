using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>
/// The lot's SQLite ledger (DESIGN §4, invariants I4 and I7): an append-only, hash-chained
/// <c>events</c> table with gap-free seq numbers, derived state tables updated in the same
/// transaction, and the outbox cursor (everything after the cloud's acknowledged seq is unsent).
/// <para>
/// One writer connection serialises appends (<c>BEGIN IMMEDIATE</c>, <c>synchronous=FULL</c>, so a
/// returned event survives a power cut); a second connection serves reads, which WAL lets run beside
/// the writer. Thread-safe.
/// </para>
/// </summary>
internal sealed partial class LedgerStore : IAsyncDisposable
{
    private static readonly Dictionary<string, Type> KnownPayloads = new(StringComparer.Ordinal)
    {
        [EventTypes.VehicleEntered] = typeof(VehicleEntered),
        [EventTypes.VehicleExited] = typeof(VehicleExited),
        [EventTypes.OccupancyChanged] = typeof(OccupancyChanged),
        [EventTypes.TicketIssued] = typeof(TicketIssued),
        [EventTypes.PaymentRecorded] = typeof(PaymentRecorded),
        [EventTypes.GateFault] = typeof(GateFault),
        [EventTypes.BarrierMoved] = typeof(BarrierMoved),
        [EventTypes.AgentStarted] = typeof(AgentStarted),
        [EventTypes.LaneVehicleDetected] = typeof(LaneVehicleDetected),
        [EventTypes.LaneCredentialChecked] = typeof(LaneCredentialChecked),
        [EventTypes.LaneAdmitted] = typeof(LaneAdmitted),
        [EventTypes.LaneRefused] = typeof(LaneRefused),
        [EventTypes.LaneVehiclePassing] = typeof(LaneVehiclePassing),
        [EventTypes.LaneVehicleWithdrew] = typeof(LaneVehicleWithdrew),
        [EventTypes.LaneTailgate] = typeof(LaneTailgate),
        [EventTypes.LaneRecovered] = typeof(LaneRecovered),
        [EventTypes.LaneReset] = typeof(LaneReset),
        [EventTypes.BarrierFault] = typeof(BarrierFault),
        [EventTypes.BarrierReversed] = typeof(BarrierReversed),
    };

    private readonly TimeProvider _timeProvider;
    private readonly SqliteConnection _writer;
    private readonly SqliteConnection _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _insertEvent;
    private readonly LedgerProjection _projection;
    private long _lastSeq;
    private string _lastHash;
    private long _ackedSeq;
    private bool _disposed;

    private LedgerStore(string path, string lotId, long epoch, TimeProvider timeProvider, SqliteConnection writer, SqliteConnection reader, long lastSeq, string lastHash, long ackedSeq)
    {
        Path = path;
        LotId = lotId;
        Epoch = epoch;
        _timeProvider = timeProvider;
        _writer = writer;
        _reader = reader;
        _lastSeq = lastSeq;
        _lastHash = lastHash;
        _ackedSeq = ackedSeq;
        _begin = Command(writer, "BEGIN IMMEDIATE");
        _commit = Command(writer, "COMMIT");
        _rollback = Command(writer, "ROLLBACK");
        _insertEvent = Command(writer, """
            INSERT INTO events(seq, id, type, occurred_at, time_quality, payload, prev_hash, hash)
            VALUES ($seq, $id, $type, $at, $quality, $payload, $prev, $hash)
            """, "$seq", "$id", "$type", "$at", "$quality", "$payload", "$prev", "$hash");
        _insertEvent.Prepare();
        _projection = new LedgerProjection(writer);
    }

    /// <summary>Raised after an event is durably committed (outside the write lock).</summary>
    public event Action<LedgerEvent>? Appended;

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The lot this ledger belongs to; a ledger never changes lots.</summary>
    public string LotId { get; }

    /// <summary>Random positive id of this ledger's life; seq restarts only with a new epoch (a new ledger file).</summary>
    public long Epoch { get; }

    /// <summary>Seq of the newest committed event (0 when empty).</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary>Highest seq the cloud acknowledged for this epoch; the outbox is everything after it.</summary>
    public long AckedSeq => Interlocked.Read(ref _ackedSeq);

    /// <summary>Time quality recorded with new events (DESIGN §5 "Time on a Pi").</summary>
    public TimeQuality TimeQuality { get; set; } = TimeQuality.Unsynced;

    /// <summary>
    /// Opens (creating when missing) the ledger at <paramref name="path"/>. A new ledger gets a fresh
    /// random epoch; an existing one must belong to <paramref name="lotId"/>.
    /// </summary>
    public static async Task<LedgerStore> OpenAsync(string path, string lotId, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(lotId);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var writer = await OpenConnectionAsync(path, SqliteOpenMode.ReadWriteCreate, cancellationToken);
        SqliteConnection? reader = null;
        try
        {
            long epoch;
            await using (var tx = (SqliteTransaction)await writer.BeginTransactionAsync(cancellationToken))
            {
                await ExecuteAsync(writer, tx, LedgerSchema.Create, cancellationToken);
                var storedLot = await ScalarAsync<string>(writer, tx, "SELECT value FROM meta WHERE key = 'lot_id'", cancellationToken);
                if (storedLot is null)
                {
                    epoch = NewEpoch();
                    await ExecuteAsync(writer, tx, $"""
                        INSERT INTO meta(key, value) VALUES
                            ('lot_id', '{lotId.Replace("'", "''", StringComparison.Ordinal)}'),
                            ('epoch', '{epoch.ToString(CultureInfo.InvariantCulture)}'),
                            ('schema_version', '{LedgerSchema.Version.ToString(CultureInfo.InvariantCulture)}'),
                            ('created_at', '{LedgerText.Time(timeProvider.GetUtcNow())}');
                        INSERT INTO sync_state(id, acked_seq) VALUES (1, 0);
                        """, cancellationToken);
                }
                else if (!string.Equals(storedLot, lotId, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"The ledger {path} belongs to lot '{storedLot}', not '{lotId}'. Use another --data folder.");
                }
                else
                {
                    var epochText = await ScalarAsync<string>(writer, tx, "SELECT value FROM meta WHERE key = 'epoch'", cancellationToken)
                        ?? throw new InvalidOperationException($"The ledger {path} has no epoch in its meta table.");
                    epoch = long.Parse(epochText, CultureInfo.InvariantCulture);
                }

                await tx.CommitAsync(cancellationToken);
            }

            long lastSeq = 0;
            var lastHash = LedgerHash.Genesis;
            await using (var last = writer.CreateCommand())
            {
                last.CommandText = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1";
                await using var rows = await last.ExecuteReaderAsync(cancellationToken);
                if (await rows.ReadAsync(cancellationToken))
                {
                    lastSeq = rows.GetInt64(0);
                    lastHash = rows.GetString(1);
                }
            }

            var acked = await ScalarAsync<long?>(writer, null, "SELECT acked_seq FROM sync_state WHERE id = 1", cancellationToken) ?? 0;
            var storedVersion = await ScalarAsync<long?>(writer, null, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", cancellationToken) ?? LedgerSchema.Version;
            reader = await OpenConnectionAsync(path, SqliteOpenMode.ReadWrite, cancellationToken);
            var store = new LedgerStore(path, lotId, epoch, timeProvider, writer, reader, lastSeq, lastHash, acked);
            if (storedVersion < LedgerSchema.Version)
            {
                // Tables added by a newer schema start empty: derive them from the events, then record
                // the version (a crash in between only repeats the rebuild on the next open).
                await store.RebuildStateAsync(cancellationToken);
                await store.SetMetaAsync("schema_version", LedgerSchema.Version.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }

            return store;
        }
        catch
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }

            await writer.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Appends one event and applies it to the state tables in one durable transaction; returns it
    /// once committed. <typeparamref name="TPayload"/> must be a contract record of
    /// <see cref="ParkingLotJsonContext"/>, and the payload record of <paramref name="type"/> when the type is known.
    /// </summary>
    public async Task<LedgerEvent> AppendAsync<TPayload>(string type, TPayload payload, CancellationToken cancellationToken = default)
        where TPayload : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(payload);
        if (KnownPayloads.TryGetValue(type, out var expected) && expected != typeof(TPayload))
        {
            throw new ArgumentException($"Event type '{type}' carries {expected.Name}, not {typeof(TPayload).Name}.", nameof(payload));
        }

        var typeInfo = (JsonTypeInfo<TPayload>?)ParkingLotJsonContext.Default.GetTypeInfo(typeof(TPayload))
            ?? throw new ArgumentException($"{typeof(TPayload).Name} is not a contract type of ParkingLotJsonContext.", nameof(payload));
        var payloadJson = Canonical(JsonSerializer.SerializeToUtf8Bytes(payload, typeInfo));
        var id = Guid.NewGuid();
        var quality = TimeQuality;

        LedgerEvent appended;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Stamped under the lock so occurred_at never runs backwards along seq on one clock.
            var occurredAt = _timeProvider.GetUtcNow();
            var seq = _lastSeq + 1;
            var hash = LedgerHash.Compute(_lastHash, seq, id, type, occurredAt, quality, payloadJson);
            _begin.ExecuteNonQuery();
            try
            {
                var p = _insertEvent.Parameters;
                p[0].Value = seq;
                p[1].Value = id.ToString("N");
                p[2].Value = type;
                p[3].Value = LedgerText.Time(occurredAt);
                p[4].Value = LedgerText.Name(quality);
                p[5].Value = payloadJson;
                p[6].Value = _lastHash;
                p[7].Value = hash;
                _insertEvent.ExecuteNonQuery();
                _projection.Apply(seq, occurredAt, payload);
                _commit.ExecuteNonQuery();
            }
            catch
            {
                _rollback.ExecuteNonQuery();
                throw;
            }

            appended = new LedgerEvent(seq, id, type, occurredAt, quality, ParseJson(payloadJson), _lastHash, hash);
            _lastHash = hash;
            Interlocked.Exchange(ref _lastSeq, seq);
        }
        finally
        {
            _writeLock.Release();
        }

        Appended?.Invoke(appended);
        return appended;
    }

    /// <summary>Up to <paramref name="limit"/> events with seq greater than <paramref name="afterSeq"/>, in seq order.</summary>
    public async Task<IReadOnlyList<LedgerEvent>> ReadAfterAsync(long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var events = new List<LedgerEvent>(Math.Min(limit, 1024));
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var command = Command(_reader, """
                SELECT seq, id, type, occurred_at, time_quality, payload, prev_hash, hash
                FROM events WHERE seq > $after ORDER BY seq LIMIT $limit
                """, "$after", "$limit");
            command.Parameters[0].Value = afterSeq;
            command.Parameters[1].Value = limit;
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                events.Add(ReadEvent(rows));
            }
        }
        finally
        {
            _readLock.Release();
        }

        return events;
    }

    /// <summary>
    /// Walks the whole chain and returns the first event that is not what was written: a seq gap
    /// (deleted event), a predecessor-hash mismatch (reordered or inserted event), a hash that its
    /// fields do not produce (edited event), or a ledger shorter than the cloud acknowledged.
    /// </summary>
    public async Task<LedgerVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var command = Command(_reader, "SELECT seq, id, type, occurred_at, time_quality, payload, prev_hash, hash FROM events ORDER BY seq");
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            long expectedSeq = 1;
            var prevHash = LedgerHash.Genesis;
            long checkedCount = 0;
            while (await rows.ReadAsync(cancellationToken))
            {
                var seq = rows.GetInt64(0);
                if (seq != expectedSeq)
                {
                    return LedgerVerification.Bad(checkedCount, expectedSeq, seq > expectedSeq
                        ? $"seq {expectedSeq.ToString(CultureInfo.InvariantCulture)} is missing (next stored event is {seq.ToString(CultureInfo.InvariantCulture)}): an event was deleted"
                        : $"seq {seq.ToString(CultureInfo.InvariantCulture)} appears where {expectedSeq.ToString(CultureInfo.InvariantCulture)} was expected");
                }

                LedgerEvent e;
                try
                {
                    e = ReadEvent(rows);
                }
                catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
                {
                    return LedgerVerification.Bad(checkedCount, seq, $"seq {seq.ToString(CultureInfo.InvariantCulture)} is unreadable ({ex.Message}): the row was edited");
                }

                if (!string.Equals(e.PrevHash, prevHash, StringComparison.Ordinal))
                {
                    return LedgerVerification.Bad(checkedCount, seq, $"seq {seq.ToString(CultureInfo.InvariantCulture)} does not chain to its predecessor (prev_hash mismatch): events were reordered, inserted or removed");
                }

                if (!LedgerHash.Matches(e))
                {
                    return LedgerVerification.Bad(checkedCount, seq, $"seq {seq.ToString(CultureInfo.InvariantCulture)} does not match its hash: its content was edited");
                }

                prevHash = e.Hash;
                expectedSeq++;
                checkedCount++;
            }

            var acked = AckedSeq;
            if (acked > checkedCount)
            {
                return LedgerVerification.Bad(checkedCount, checkedCount + 1, $"the ledger ends at seq {checkedCount.ToString(CultureInfo.InvariantCulture)} but the cloud acknowledged {acked.ToString(CultureInfo.InvariantCulture)}: events were removed from the end");
            }

            return new LedgerVerification(true, checkedCount, checkedCount, null, null);
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <summary>
    /// Records the cloud's acknowledgement; the cursor only moves forward and never past the last
    /// event. Returns true when it moved.
    /// </summary>
    public async Task<bool> SetAckedSeqAsync(long seq, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var target = Math.Min(seq, _lastSeq);
            if (target <= _ackedSeq)
            {
                return false;
            }

            await using var command = Command(_writer, "UPDATE sync_state SET acked_seq = $seq, acked_at = $at WHERE id = 1 AND acked_seq < $seq", "$seq", "$at");
            command.Parameters[0].Value = target;
            command.Parameters[1].Value = LedgerText.Time(_timeProvider.GetUtcNow());
            await command.ExecuteNonQueryAsync(cancellationToken);
            Interlocked.Exchange(ref _ackedSeq, target);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The persisted acknowledged seq (same as <see cref="AckedSeq"/>, read from disk).</summary>
    public Task<long> GetAckedSeqAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (c, ct) => await ScalarAsync<long?>(c, null, "SELECT acked_seq FROM sync_state WHERE id = 1", ct) ?? 0, cancellationToken);

    /// <summary>Sessions that have not exited (issued tickets whose vehicle may still be at the gate included).</summary>
    public Task<IReadOnlyList<SessionState>> GetOpenSessionsAsync(CancellationToken cancellationToken = default) =>
        QuerySessionsAsync("WHERE status <> 'closed' ORDER BY ticket_id", null, cancellationToken);

    /// <summary>The session of one ticket, or null.</summary>
    public async Task<SessionState?> GetSessionAsync(string ticketId, CancellationToken cancellationToken = default)
    {
        var sessions = await QuerySessionsAsync("WHERE ticket_id = $p", ticketId, cancellationToken);
        return sessions.Count == 0 ? null : sessions[0];
    }

    /// <summary>Every spot a sensor ever reported, with its latest state.</summary>
    public Task<IReadOnlyList<SpotState>> GetSpotsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<SpotState>>(async (c, ct) =>
        {
            var spots = new List<SpotState>();
            await using var command = Command(c, "SELECT spot_id, vehicle_type, sensor_id, occupied, changed_at FROM spots ORDER BY spot_id");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                spots.Add(new SpotState(rows.GetString(0), LedgerText.Parse<VehicleType>(rows.GetString(1)), rows.GetString(2), rows.GetInt64(3) != 0, LedgerText.ParseTime(rows.GetString(4))));
            }

            return spots;
        }, cancellationToken);

    /// <summary>Occupied spots per vehicle type, as the sensors report them.</summary>
    public Task<IReadOnlyDictionary<VehicleType, int>> GetOccupancyAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyDictionary<VehicleType, int>>(async (c, ct) =>
        {
            var counts = Enum.GetValues<VehicleType>().ToDictionary(t => t, _ => 0);
            await using var command = Command(c, "SELECT vehicle_type, count(*) FROM spots WHERE occupied = 1 GROUP BY vehicle_type");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                counts[LedgerText.Parse<VehicleType>(rows.GetString(0))] = rows.GetInt32(1);
            }

            return counts;
        }, cancellationToken);

    /// <summary>Every payment recorded at this edge, in seq order.</summary>
    public Task<IReadOnlyList<PaymentState>> GetPaymentsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<PaymentState>>(async (c, ct) =>
        {
            var payments = new List<PaymentState>();
            await using var command = Command(c, "SELECT payment_id, ticket_id, amount_minor, currency, method, tariff_version, recorded_at, seq FROM payments ORDER BY seq");
            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                payments.Add(new PaymentState(
                    rows.GetString(0), rows.GetString(1), new Money(rows.GetInt64(2), rows.GetString(3)),
                    LedgerText.Parse<PaymentMethod>(rows.GetString(4)), rows.GetString(5), LedgerText.ParseTime(rows.GetString(6)), rows.GetInt64(7)));
            }

            return payments;
        }, cancellationToken);

    /// <summary>
    /// Clears the state tables and replays every event into them in one transaction: the recovery
    /// path when a state table is suspected (or a later schema derives new state).
    /// </summary>
    public async Task RebuildStateAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _begin.ExecuteNonQuery();
            try
            {
                foreach (var table in LedgerSchema.StateTables)
                {
                    await ExecuteAsync(_writer, null, $"DELETE FROM {table}", cancellationToken);
                }

                await using var command = Command(_writer, "SELECT seq, type, occurred_at, payload FROM events ORDER BY seq");
                await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await rows.ReadAsync(cancellationToken))
                    {
                        if (LedgerProjection.Deserialize(rows.GetString(1), rows.GetString(3)) is { } payload)
                        {
                            _projection.Apply(rows.GetInt64(0), LedgerText.ParseTime(rows.GetString(2)), payload);
                        }
                    }
                }

                _commit.ExecuteNonQuery();
            }
            catch
            {
                _rollback.ExecuteNonQuery();
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        await _readLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _projection.Dispose();
            _insertEvent.Dispose();
            _begin.Dispose();
            _commit.Dispose();
            _rollback.Dispose();
            await _reader.DisposeAsync();
            await _writer.DisposeAsync();
        }
        finally
        {
            _readLock.Release();
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Connection string of the ledger file. Pooling is off so that disposing the store really closes
    /// the file (tests delete it; a technician may copy it).
    /// </summary>
    internal static string ConnectionString(string path, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString();

    private static async Task<SqliteConnection> OpenConnectionAsync(string path, SqliteOpenMode mode, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString(path, mode));
        try
        {
            await connection.OpenAsync(cancellationToken);

            // WAL lets the outbox read while the gate writes; FULL makes every commit survive a power
            // cut, not just a crash. busy_timeout covers a technician's sqlite3 holding a lock briefly.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;", cancellationToken);
            await EnsureDurableAsync(connection, path, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static long NewEpoch()
    {
        long epoch;
        do
        {
            epoch = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        }
        while (epoch == 0);
        return epoch;
    }

    private static LedgerEvent ReadEvent(SqliteDataReader rows) => new(
        rows.GetInt64(0),
        Guid.ParseExact(rows.GetString(1), "N"),
        rows.GetString(2),
        LedgerText.ParseTime(rows.GetString(3)),
        LedgerText.Parse<TimeQuality>(rows.GetString(4)),
        ParseJson(rows.GetString(5)),
        rows.GetString(6),
        rows.GetString(7));

    /// <summary>
    /// The payload text as any System.Text.Json writer re-emits it. The serialiser writes some values
    /// unescaped (a '+' in a DateTimeOffset) that a JsonElement re-written inside an
    /// <see cref="EdgeEventBatch"/> gets escaped ("\u002B"), which would change the text the cloud
    /// hashes. Storing the re-emitted form makes the round trip an identity, so hashes survive transit.
    /// </summary>
    private static string Canonical(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var buffer = new ArrayBufferWriter<byte>(utf8.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.RootElement.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The stored text is kept byte for byte (JsonElement keeps its raw text), so LedgerHash.Matches
    // recomputes over exactly what was hashed at append time.
    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T?> ScalarAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync(cancellationToken);
        if (value is null or DBNull)
        {
            return default;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await read(_reader, cancellationToken);
        }
        finally
        {
            _readLock.Release();
        }
    }

    private Task<IReadOnlyList<SessionState>> QuerySessionsAsync(string where, string? parameter, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SessionState>>(async (c, ct) =>
        {
            var sessions = new List<SessionState>();
            await using var command = Command(c, $"""
                SELECT ticket_id, vehicle_type, status, entry_gate, code, issued_at, entered_at, exited_at, fee_minor, fee_currency, tariff_version
                FROM sessions {where}
                """);
            if (parameter is not null)
            {
                command.Parameters.AddWithValue("$p", parameter);
            }

            await using var rows = await command.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                sessions.Add(new SessionState(
                    rows.GetString(0),
                    LedgerText.Parse<VehicleType>(rows.GetString(1)),
                    LedgerText.Parse<SessionStatus>(rows.GetString(2)),
                    rows.IsDBNull(3) ? null : rows.GetString(3),
                    rows.IsDBNull(4) ? null : rows.GetString(4),
                    rows.IsDBNull(5) ? null : LedgerText.ParseTime(rows.GetString(5)),
                    rows.IsDBNull(6) ? null : LedgerText.ParseTime(rows.GetString(6)),
                    rows.IsDBNull(7) ? null : LedgerText.ParseTime(rows.GetString(7)),
                    LedgerText.Money(rows.IsDBNull(8) ? null : rows.GetInt64(8), rows.IsDBNull(9) ? null : rows.GetString(9)),
                    rows.IsDBNull(10) ? null : rows.GetString(10)));
            }

            return sessions;
        }, cancellationToken);
}
