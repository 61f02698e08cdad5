using System.Text.Json;
using System.Text.Json.Nodes;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Tests.Builders;

/// <summary>
/// Builds lot files like hardware/lots/*.json, including edge-only fields the cloud must ignore.
/// Spots are named {type-letter}{n}, e.g. C1, C2 for cars and E1 for EVs.
/// </summary>
internal sealed class LotFileBuilder
{
    private readonly List<SpotDescription> _spots = [];
    private string _lotId = $"lot-{Guid.NewGuid():N}"[..20];
    private string _name = "Test Lot";
    private GeoPoint _location = new(52.5, 13.4);
    private readonly Dictionary<VehicleType, int> _capacity = [];

    public LotFileBuilder WithLotId(string lotId)
    {
        _lotId = lotId;
        return this;
    }

    public LotFileBuilder WithName(string name)
    {
        _name = name;
        return this;
    }

    public LotFileBuilder WithLocation(double lat, double lng)
    {
        _location = new GeoPoint(lat, lng);
        return this;
    }

    /// <summary>The lot file's capacity block: the cloud's reservable share of a vehicle type.</summary>
    public LotFileBuilder WithReservable(VehicleType type, int reservable)
    {
        _capacity[type] = reservable;
        return this;
    }

    public LotFileBuilder WithSpots(VehicleType type, int count)
    {
        var prefix = type.ToString()[0];
        var start = _spots.Count(s => s.VehicleType == type);
        for (var i = 1; i <= count; i++)
        {
            _spots.Add(new SpotDescription($"{prefix}{start + i}", type, prefix.ToString(), $"sensor-{prefix}{start + i}"));
        }

        return this;
    }

    public LotDescription Build() =>
        new(_lotId, _name, "Europe/Berlin", _location, _spots.Count > 0 ? [.. _spots] : [new SpotDescription("C1", VehicleType.Car, "C", null)]);

    /// <summary>The lot as lot-file JSON, with gates the cloud does not read, a valid tariff (<see cref="TestTariffs.Simple"/>) and the capacity block.</summary>
    public string ToJson()
    {
        var node = JsonSerializer.SerializeToNode(Build(), ParkingLotJsonContext.Default.LotDescription)!.AsObject();
        node["currency"] = "EUR";
        node["gates"] = new JsonArray(new JsonObject { ["id"] = "entry-1", ["direction"] = "entry" });
        node["tariff"] = JsonSerializer.SerializeToNode(TestTariffs.Simple(), ParkingLotJsonContext.Default.TariffDefinition);
        if (_capacity.Count > 0)
        {
            node["capacity"] = new JsonObject(_capacity.Select(c => KeyValuePair.Create(
                JsonNamingPolicy.CamelCase.ConvertName(c.Key.ToString()), (JsonNode?)new JsonObject { ["reservable"] = c.Value })));
        }

        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public string WriteTo(string directory)
    {
        var path = Path.Combine(directory, $"{_lotId}.json");
        File.WriteAllText(path, ToJson());
        return path;
    }
}
