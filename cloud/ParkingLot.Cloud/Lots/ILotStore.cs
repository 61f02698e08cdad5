using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Lots;

/// <summary>Lots and their spots. The embedded store implements it on SQLite; PostgreSQL will too.</summary>
internal interface ILotStore
{
    /// <summary>Creates or updates the lot and its spot list; occupancy of kept spots survives, removed spots go.</summary>
    Task UpsertAsync(LotDescription lot, CancellationToken cancellationToken);

    Task<IReadOnlyList<LotSummary>> ListAsync(CancellationToken cancellationToken);

    Task<LotDetails?> GetAsync(string lotId, CancellationToken cancellationToken);
}
