using System.Text.Json.Serialization;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Lots;

/// <summary>
/// A lot file (hardware/lots/*.json) as the edge reads it: the shared <see cref="LotDescription"/>
/// fields plus gates with their devices, the capacity split, the tariff, the kiosk, permit cards and
/// the cloud connection. hardware/lot.schema.json is its schema; <see cref="LotFileValidator"/> checks a
/// file against it and against the rules a schema cannot express.
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
    CloudConnection? Cloud = null,
    KioskDefinition? Kiosk = null,
    IReadOnlyList<PermitDefinition>? Permits = null)
{
    /// <summary>
    /// The sensor device of each spot that declares one, by spot id. Spots stay the shared
    /// <see cref="SpotDescription"/> (the cloud reads them too); the loader reads <c>spots[].sensor</c> beside them.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, SpotSensorDefinition> SpotSensors { get; init; } = new Dictionary<string, SpotSensorDefinition>(StringComparer.Ordinal);

    /// <summary>Permit id by card UID (upper-case hex), for the NFC readers.</summary>
    public IReadOnlyDictionary<string, string> PermitsByUid() =>
        (Permits ?? []).ToDictionary(p => p.CardUid.ToUpperInvariant(), p => p.PermitId, StringComparer.Ordinal);

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

/// <summary>A gate lane of the lot; <see cref="Devices"/> is null for a lane without hardware (simulation).</summary>
internal sealed record GateDefinition(string Id, GateDirection Direction, string Name, GateDevices? Devices = null);

/// <summary>Which way a lane lets vehicles through.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GateDirection>))]
internal enum GateDirection
{
    Entry,
    Exit,
}

/// <summary>The cloud-owned (reservable) part of one vehicle type's capacity.</summary>
internal sealed record CapacityShare(int Reservable);
