namespace ParkingLot.Shared.Contracts;

/// <summary>
/// The part of a lot file (hardware/lots/*.json) both edge and cloud understand: identity, place and
/// spots. The edge's own lot-file model adds gates and devices; unknown fields are ignored here.
/// </summary>
public sealed record LotDescription(
    string LotId,
    string Name,
    string TimeZone,
    GeoPoint? Location,
    IReadOnlyList<SpotDescription> Spots);

/// <summary>WGS 84 coordinates in degrees.</summary>
public sealed record GeoPoint(double Lat, double Lng);

/// <summary>One parking spot; <see cref="SensorId"/> is the space sensor watching it, if any.</summary>
public sealed record SpotDescription(string Id, VehicleType VehicleType, string Zone, string? SensorId);
