using System.Text;
using System.Text.Json.Nodes;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Tests.Lots;

public sealed class LotFileLoaderTests
{
    /// <summary>A broken lot file: how to break it, and which path and line the error must name.</summary>
    internal sealed record BadFile(Action<JsonObject> Break, string Path, Func<LotFileBuilder, int> Line, Func<string, string>? EditText = null);

    private static readonly Dictionary<string, BadFile> BadFiles = new()
    {
        ["missing lotId"] = new(r => r.Remove("lotId"), "$.lotId", _ => 1),
        ["lotId with a topic separator"] = new(r => r["lotId"] = "a/b", "$.lotId", b => b.LineOf("\"lotId\"")),
        ["unknown vehicle type of a spot"] = new(r => r["spots"]![2]!["vehicleType"] = "bus", "$.spots[2].vehicleType", b => b.LineOf("\"bus\"")),
        ["duplicate spot id"] = new(r => r["spots"]![3]!["id"] = "C001", "$.spots[3].id", b => b.LineOf("\"id\": \"C001\"", occurrence: 2)),
        ["duplicate sensor"] = new(r => r["spots"]![1]!["sensorId"] = "sensor-C001", "$.spots[1].sensorId", b => b.LineOf("\"sensorId\": \"sensor-C001\"", occurrence: 2)),
        ["broker without port"] = new(r => r["cloud"]!["broker"] = "localhost", "$.cloud.broker", b => b.LineOf("\"broker\"")),
        ["broker port out of range"] = new(r => r["cloud"]!["broker"] = "10.0.0.1:70000", "$.cloud.broker", b => b.LineOf("\"broker\"")),
        ["unknown vehicle type in capacity"] = new(r => r["capacity"]!["bus"] = new JsonObject { ["reservable"] = 1 }, "$.capacity.bus", b => b.LineOf("\"bus\"")),
        ["reservable above the spot count"] = new(r => r["capacity"]!["car"]!["reservable"] = 9, "$.capacity.car.reservable", b => b.LineOf("\"reservable\"")),
        ["unknown vehicle type in the tariff"] = new(r => r["tariff"]!["vehicleTypes"]!["bus"] = JsonNode.Parse(r["tariff"]!["vehicleTypes"]!["car"]!.ToJsonString()), "$.tariff.vehicleTypes", b => b.LineOf("\"bus\"")),
        ["spot type without a price"] = new(r => ((JsonObject)r["tariff"]!["vehicleTypes"]!).Remove("ev"), "$.spots[4].vehicleType", b => b.LineOf("\"vehicleType\": \"ev\"")),
        ["tariff in another currency"] = new(r => r["tariff"]!["currency"] = "USD", "$.tariff.currency", b => b.LineOf("\"USD\"")),
        ["no exit gate"] = new(r => ((JsonArray)r["gates"]!).RemoveAt(1), "$.gates", b => b.LineOf("\"gates\"")),
        ["unknown time zone"] = new(r => r["timeZone"] = "Mars/Olympus", "$.timeZone", b => b.LineOf("\"Mars/Olympus\"")),
        ["missing comma"] = new(_ => { }, "$.name", b => b.LineOf("\"timeZone\""), text => text.Replace("\"Test lot\",", "\"Test lot\"", StringComparison.Ordinal)),
    };

    public static TheoryData<string> BadFileNames => [.. BadFiles.Keys];

    [Theory]
    [MemberData(nameof(BadFileNames))]
    public void Parse_BadFile_IsRefusedNamingPathAndLine(string name)
    {
        var bad = BadFiles[name];
        var builder = new LotFileBuilder().With(bad.Break);
        var text = bad.EditText is null ? builder.ToJson() : bad.EditText(builder.ToJson());

        var ex = Assert.Throws<LotFileException>(() => LotFileLoader.Parse(Encoding.UTF8.GetBytes(text), "bad-lot.json"));

        var expectedLine = bad.Line(builder);
        Assert.Contains("bad-lot.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Problems, p => p.StartsWith($"line {expectedLine}, ", StringComparison.Ordinal) && (p.Contains(bad.Path, StringComparison.Ordinal) || name == "missing comma"));
    }

    [Fact]
    public void Parse_SeveralProblems_ListsEveryOne()
    {
        var builder = new LotFileBuilder().With(r =>
        {
            r["spots"]![3]!["id"] = "C001";
            r["cloud"]!["broker"] = "nowhere";
        });

        var ex = Assert.Throws<LotFileException>(builder.Build);

        Assert.Equal(2, ex.Problems.Count);
    }

    [Fact]
    public void Parse_ValidFile_ReadsGatesCapacityTariffAndSpots()
    {
        var lot = new LotFileBuilder(cars: 4, evs: 2, reservableCars: 1).Build();

        Assert.Equal("test-lot", lot.LotId);
        Assert.Equal(6, lot.Spots.Count);
        Assert.Equal([GateDirection.Entry, GateDirection.Exit], lot.Gates.Select(g => g.Direction));
        Assert.Equal(3, lot.WalkInShare(VehicleType.Car));
        Assert.Equal(2, lot.WalkInShare(VehicleType.Ev));
        Assert.Equal(0, lot.WalkInShare(VehicleType.Truck));
        Assert.Equal("test-1", lot.Tariff.Version);
        Assert.Equal("127.0.0.1:1883", lot.Cloud!.Broker);
    }

    [Fact]
    public void Load_DemoLot_IsValid()
    {
        var lot = LotFileLoader.Load(RepositoryPaths.DemoLot);

        Assert.Equal("demo-lot", lot.LotId);
        Assert.Equal(120, lot.Spots.Count);
        Assert.Equal(lot.Spots.Count, lot.Spots.Select(s => s.Id).Distinct().Count());
        Assert.Equal(50, lot.WalkInShare(VehicleType.Car));
    }

    [Fact]
    public void Load_MissingFile_IsRefusedWithTheReason()
    {
        var ex = Assert.Throws<LotFileException>(() => LotFileLoader.Load("/nonexistent/lot.json"));

        Assert.Contains("cannot read", ex.Message, StringComparison.Ordinal);
    }
}
