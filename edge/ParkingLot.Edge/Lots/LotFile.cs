using System.Text.Json.Serialization;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Lots;

/// <summary>
/// A lot file (hardware/lots/*.json) as the edge reads it: the shared <see cref="LotDescription"/>
/// fields plus gates, the capacity split, the tariff and the cloud connection. Unknown members are
/// ignored so that a newer file (devices, kiosk) still loads on an older agent.
/// </summary>
internal sealed record LotFile(
    string LotId,
    string Name,
    string TimeZone,
    string Currency,
    IReadOnlyList<GateDefinition> Gates,
    IReadOnlyDictionary<string, CapacityShare> Capacity,
    TariffDefinition Tariff,
    IReadOnlyList<SpotDescription> Spots,
    GeoPoint? Location = null,
    CloudConnection? Cloud = null)
{
    /// <summary>The part of the file the cloud understands too.</summary>
    public LotDescription ToDescription() => new(LotId, Name, TimeZone, Location, Spots);

    /// <summary>Spots of <paramref name="vehicleType"/> in file order.</summary>
    public IEnumerable<SpotDescription> SpotsOf(VehicleType vehicleType) => Spots.Where(s => s.VehicleType == vehicleType);

    /// <summary>
    /// The walk-in share of <paramref name="vehicleType"/> (invariant I2): spots minus the cloud's
    /// reservable share. The edge admits walk-ins only below it.
    /// </summary>
    public int WalkInShare(VehicleType vehicleType)
    {
        var total = SpotsOf(vehicleType).Count();
        var reservable = Capacity.TryGetValue(LotFileLoader.VehicleTypeName(vehicleType), out var share) ? share.Reservable : 0;
        return Math.Max(0, total - reservable);
    }
}

/// <summary>Where the lot's MQTT broker is; credentials are optional in development.</summary>
internal sealed record CloudConnection(string Broker, string? Username = null, string? Password = null);

/// <summary>A gate lane of the lot.</summary>
internal sealed record GateDefinition(string Id, GateDirection Direction, string Name);

/// <summary>Which way a lane lets vehicles through.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GateDirection>))]
internal enum GateDirection
{
    Entry,
    Exit,
}

/// <summary>The cloud-owned (reservable) part of one vehicle type's capacity.</summary>
internal sealed record CapacityShare(int Reservable);
