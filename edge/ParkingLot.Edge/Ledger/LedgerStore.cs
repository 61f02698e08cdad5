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
            ThrowIfUnwritable();

            // Stamped under the lock so occurred_at never runs backwards along seq on one clock.
            var occurredAt = _timeProvider.GetUtcNow();
            var seq = _lastSeq + 1;
            var hash = LedgerHash.Compute(_lastHash, seq, id, type, occurredAt, quality, payloadJson);
            try
            {
                _begin.ExecuteNonQuery();
            }
            catch (Exception e) when (IsStorageFailure(e))
            {
                throw Unwritable(e);
            }

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
            catch (Exception e)
            {
                try
                {
                    _rollback.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // After SQLITE_FULL or an I/O error SQLite has already rolled the transaction
                    // back ("no transaction is active"), or will on the next open; the original
                    // failure is the one to report.
                }

                if (IsStorageFailure(e))
                {
                    throw Unwritable(e);
                }

                throw;
            }

            Written();
            appended = new LedgerEvent(seq, id, type, occurredAt, quality, ParseJson(payloadJson), _lastHash, hash);
            _lastHash = hash;
            Interlocked.Exchange(ref _lastSeq, seq);
        }
        finally
        {
            _writeLock.Release();
            RaiseWriteStateChange();
        }

        Appended?.Invoke(appended);
        return appended;
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
}
