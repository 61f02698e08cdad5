using ParkingLot.Cloud.Availability;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.EdgeSync;

/// <summary>
/// What the reconciler needs from a store. All decisions (duplicate, gap, chain, derived state)
/// are made by <see cref="EdgeReconciler"/>; a store only reads and writes rows, so the SQLite and
/// PostgreSQL implementations cannot disagree about the protocol.
/// </summary>
internal interface IEdgeSyncStore
{
    /// <summary>
    /// Opens the ingest transaction of one lot and ledger epoch, or returns null for an unknown lot.
    /// The cursor read here must stay true until commit: SQLite has a single writer; PostgreSQL
    /// locks the cursor row (<c>SELECT … FOR UPDATE</c>) so concurrent instances serialise per lot.
    /// </summary>
    Task<IEdgeSyncTransaction?> BeginAsync(string lotId, long epoch, CancellationToken cancellationToken);

    /// <summary>Upserts the latest birth/heartbeat/last will of a lot's edge; false for an unknown lot.</summary>
    Task<bool> RecordEdgeStateAsync(EdgeState state, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>The newest epoch's acknowledgement of every lot, re-published when the cloud (re)connects.</summary>
    Task<IReadOnlyList<LotAck>> ListLatestAcksAsync(CancellationToken cancellationToken);

    /// <summary>Sync state of one lot for operators (and tests): cursors, stored events, payments, edge health.</summary>
    Task<EdgeSyncStatus?> GetStatusAsync(string lotId, CancellationToken cancellationToken);
}

/// <summary>One open ingest transaction; disposing without <see cref="CommitAsync"/> rolls back.</summary>
internal interface IEdgeSyncTransaction : IAsyncDisposable
{
    /// <summary>Highest contiguous seq applied in this epoch (0 when none) and that event's hash (<see cref="LedgerHash.Genesis"/> when none).</summary>
    EdgeCursor Cursor { get; }

    /// <summary>The stored hash of an already applied event, or null.</summary>
    Task<string?> GetEventHashAsync(long seq, CancellationToken cancellationToken);

    Task InsertEventAsync(LedgerEvent ledgerEvent, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Sets one spot's sensor occupancy; false when the lot has no such spot.</summary>
    Task<bool> SetSpotOccupancyAsync(string spotId, bool occupied, CancellationToken cancellationToken);

    Task AddVehiclesInAsync(VehicleType vehicleType, int delta, CancellationToken cancellationToken);

    /// <summary>Records an edge payment once per payment id.</summary>
    Task InsertPaymentAsync(long seq, DateTimeOffset occurredAt, PaymentRecorded payment, CancellationToken cancellationToken);

    Task AdvanceCursorAsync(EdgeCursor cursor, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>The lot's availability as this transaction will commit it.</summary>
    Task<LotAvailability> ReadAvailabilityAsync(DateTimeOffset asOf, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>High-water mark of one lot's epoch.</summary>
internal readonly record struct EdgeCursor(long HighWater, string LastHash);

/// <summary>An acknowledgement and the lot it belongs to.</summary>
internal sealed record LotAck(string LotId, CloudAck Ack);

internal sealed record EdgeSyncStatus(string LotId, IReadOnlyList<EpochStatus> Epochs, IReadOnlyList<Money> PaymentTotals, EdgeHealth? Health);

internal sealed record EpochStatus(long Epoch, long HighWater, long StoredEvents);

/// <summary>The last <see cref="EdgeState"/> seen from a lot's edge and when it arrived.</summary>
internal sealed record EdgeHealth(
    bool Online, string AgentVersion, Guid BootId, long Epoch, long LastSeq, long Backlog, TimeQuality TimeQuality, DateTimeOffset SentAt, DateTimeOffset ReceivedAt);
