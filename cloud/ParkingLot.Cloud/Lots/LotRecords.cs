using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Lots;

/// <summary>One entry of <c>GET /api/v1/lots</c>.</summary>
internal sealed record LotSummary(string Id, string Name, GeoPoint? Location);

/// <summary><c>GET /api/v1/lots/{lotId}</c>.</summary>
internal sealed record LotDetails(string Id, string Name, string TimeZone, GeoPoint? Location, int SpotCount, IReadOnlyList<string> Zones);
