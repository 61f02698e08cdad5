using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// Lots, spots, tariffs and capacity splits. Implemented on SQLite (embedded) and PostgreSQL; one
/// contract test suite runs against both.
/// </summary>
internal interface ILotStore
{
    /// <summary>
    /// Creates or updates the lot and its spot list from a lot file; occupancy of kept spots survives,
    /// removed spots go. Spot rank is the position in the file; the lot's vehicle types are its spots' types.
    /// </summary>
    Task UpsertAsync(LotDescription lot, CancellationToken cancellationToken);

    Task<IReadOnlyList<LotSummary>> ListAsync(CancellationToken cancellationToken);

    Task<LotDetails?> GetAsync(string lotId, CancellationToken cancellationToken);

    /// <summary>Creates a lot with no spots; <see cref="LotWriteStatus.Conflict"/> when the id exists.</summary>
    Task<LotWriteResult> CreateAsync(LotDefinition lot, CancellationToken cancellationToken);

    /// <summary>Updates name, place, hours and vehicle types; spots, tariff and capacity stay.</summary>
    Task<LotWriteResult> UpdateAsync(LotDefinition lot, CancellationToken cancellationToken);

    /// <summary>
    /// Adds spots after the existing ones (ranks continue); all or nothing: an id already in the lot is
    /// a <see cref="LotWriteStatus.Conflict"/>, and the lot's vehicle types grow by the new spots' types.
    /// </summary>
    Task<LotWriteResult> AddSpotsAsync(string lotId, IReadOnlyList<SpotDescription> spots, CancellationToken cancellationToken);

    /// <summary>Spots nearest the entrance first; null for an unknown lot.</summary>
    Task<IReadOnlyList<SpotInfo>?> ListSpotsAsync(string lotId, VehicleType? vehicleType, CancellationToken cancellationToken);

    /// <summary>The reservable share per vehicle type the lot has spots of (0 when never set); null for an unknown lot.</summary>
    Task<CapacitySplit?> GetCapacityAsync(string lotId, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the reservable share of the given vehicle types (others keep theirs) as one new version.
    /// <see cref="LotWriteStatus.Invalid"/> when a share exceeds the spots of its type, checked in the
    /// same transaction. Locks the split rows, so a booking hold in flight finishes under the old share.
    /// </summary>
    Task<LotWriteResult> SetCapacityAsync(string lotId, IReadOnlyDictionary<VehicleType, int> reservable, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes a (valid) tariff and makes it the lot's current one. Re-publishing a version with the
    /// same definition is a no-op; with another definition it is a <see cref="LotWriteStatus.Conflict"/>
    /// (a version names one set of prices for ever, I6).
    /// </summary>
    Task<LotWriteResult> PublishTariffAsync(string lotId, TariffDefinition tariff, DateTimeOffset publishedAt, CancellationToken cancellationToken);

    /// <summary>A published tariff by version (a booking's locked one), or the current one when <paramref name="version"/> is null.</summary>
    Task<TariffDefinition?> GetTariffAsync(string lotId, string? version, CancellationToken cancellationToken);

    /// <summary>Every lot with its current tariff, for the in-memory catalogue.</summary>
    Task<IReadOnlyList<CatalogLot>> ListCatalogAsync(CancellationToken cancellationToken);
}
