using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Lots;

/// <summary>One entry of <c>GET /api/v1/lots</c>.</summary>
internal sealed record LotSummary(string Id, string Name, GeoPoint? Location);

/// <summary><c>GET /api/v1/lots/{lotId}</c>.</summary>
internal sealed record LotDetails(
    string Id,
    string Name,
    string TimeZone,
    GeoPoint? Location,
    int SpotCount,
    IReadOnlyList<string> Zones,
    IReadOnlyList<VehicleType> VehicleTypes,
    IReadOnlyList<OpeningHours> OpeningHours,
    string? TariffVersion);

/// <summary>
/// Opening hours of a lot on the given days, in the lot's time zone: <c>[Open, Close)</c>, wrapping
/// midnight when Open &gt; Close. A lot with no entries is always open. Informational for now:
/// bookings are not yet refused outside them.
/// </summary>
internal sealed record OpeningHours(IReadOnlyList<DayOfWeek> Days, TimeOnly Open, TimeOnly Close);

/// <summary>What an operator sets on a lot (spots, tariff and capacity have their own endpoints).</summary>
internal sealed record LotDefinition(
    string Id,
    string Name,
    string TimeZone,
    GeoPoint Location,
    IReadOnlyList<OpeningHours> OpeningHours,
    IReadOnlyList<VehicleType> VehicleTypes);

/// <summary>One spot as listed by <c>GET /api/v1/lots/{lotId}/spots</c>; lower <see cref="Rank"/> is nearer the entrance.</summary>
internal sealed record SpotInfo(string Id, VehicleType VehicleType, string Zone, string? SensorId, int Rank, bool Occupied);

/// <summary>The reservable share of one vehicle type next to the number of spots of that type.</summary>
internal sealed record CapacityShare(VehicleType VehicleType, int Reservable, int Spots);

/// <summary>
/// The cloud's side of the capacity partition (I2) of one lot. <see cref="Version"/> grows with every
/// change; the edge acknowledgement that a growing share needs arrives with the capacity-grant sync
/// (a later change): until then a share takes effect in the cloud when it is set.
/// </summary>
internal sealed record CapacitySplit(string LotId, int Version, IReadOnlyList<CapacityShare> Shares)
{
    public int ReservableOf(VehicleType type) => Shares.FirstOrDefault(s => s.VehicleType == type)?.Reservable ?? 0;
}

/// <summary>
/// Everything search, quotes and bookings need to know about a lot without asking the store:
/// kept in memory by <see cref="LotCatalog"/>.
/// </summary>
internal sealed record CatalogLot(
    string Id,
    string Name,
    string TimeZone,
    GeoPoint? Location,
    IReadOnlyList<VehicleType> VehicleTypes,
    TariffDefinition? Tariff);

/// <summary>Outcome of a store write that can meet an unknown lot or a conflict; <see cref="Detail"/> explains a refusal.</summary>
internal enum LotWriteStatus
{
    Done,
    UnknownLot,
    Conflict,
    Invalid,
}

internal sealed record LotWriteResult(LotWriteStatus Status, string? Detail = null)
{
    public static readonly LotWriteResult Done = new(LotWriteStatus.Done);
    public static readonly LotWriteResult UnknownLot = new(LotWriteStatus.UnknownLot);
}
