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
        ["unknown vehicle type of a spot"] = new(r => r["spots"]![2]!["vehicleType"] = "bus", "$.spots[2].vehicleType", b => b.LineOf("\"vehicleType\": \"bus\"")),
        ["duplicate spot id"] = new(r => r["spots"]![3]!["id"] = "C001", "$.spots[3].id", b => b.LineOf("\"id\": \"C001\"", occurrence: 2)),
        ["duplicate sensor"] = new(r => r["spots"]![1]!["sensorId"] = "sensor-C001", "$.spots[1].sensorId", b => b.LineOf("\"sensorId\": \"sensor-C001\"", occurrence: 2)),
        ["broker without port"] = new(r => r["cloud"]!["broker"] = "localhost", "$.cloud.broker", b => b.LineOf("\"broker\"")),
        ["broker port out of range"] = new(r => r["cloud"]!["broker"] = "10.0.0.1:70000", "$.cloud.broker", b => b.LineOf("\"broker\"")),
        ["unknown vehicle type in capacity"] = new(r => r["capacity"]!["bus"] = new JsonObject { ["reservable"] = 1 }, "$.capacity.bus", b => b.LineOf("\"bus\": {")),
        ["reservable above the spot count"] = new(r => r["capacity"]!["car"]!["reservable"] = 9, "$.capacity.car.reservable", b => b.LineOf("\"reservable\"")),
        ["unknown vehicle type in the tariff"] = new(r => r["tariff"]!["vehicleTypes"]!["bus"] = JsonNode.Parse(r["tariff"]!["vehicleTypes"]!["car"]!.ToJsonString()), "$.tariff.vehicleTypes", b => b.LineOf("\"bus\": {")),
        ["spot type without a price"] = new(r => ((JsonObject)r["tariff"]!["vehicleTypes"]!).Remove("ev"), "$.spots[4].vehicleType", b => b.LineOf("\"vehicleType\": \"ev\"")),
        ["tariff in another currency"] = new(r => r["tariff"]!["currency"] = "USD", "$.tariff.currency", b => b.LineOf("\"USD\"")),
        ["no exit gate"] = new(r => ((JsonArray)r["gates"]!).RemoveAt(1), "$.gates", b => b.LineOf("\"gates\"")),
        ["unknown time zone"] = new(r => r["timeZone"] = "Mars/Olympus", "$.timeZone", b => b.LineOf("\"Mars/Olympus\"")),
        ["missing comma"] = new(_ => { }, "$.name", b => b.LineOf("\"timeZone\""), text => text.Replace("\"Test lot\",", "\"Test lot\"", StringComparison.Ordinal)),
        ["trailing garbage after the lot"] = new(_ => { }, "$", b => b.ToJson().Split('\n').Length + 1, text => text + "\n}\n"),
        ["gate with an unknown direction"] = new(r => r["gates"]![0]!["direction"] = "sideways", "$.gates[0].direction", b => b.LineOf("\"sideways\"")),
        ["tariff dailyMax below the rate"] = new(r => r["tariff"]!["vehicleTypes"]!["car"]!["dailyMax"] = 50, "$.tariff.vehicleTypes.car.dailyMax", b => b.LineOf("\"dailyMax\": 50")),
        ["pin used twice"] = new(r => r["gates"]![1]!["devices"]!["loop"]!["pin"] = 5, "$.gates[1].devices.loop.pin", b => b.LineOf("\"pin\": 5", occurrence: 2)),
        ["GPIO of the I2C bus used as an input"] = new(r => r["spots"]![0]!["sensor"]!["pin"] = 3, "$.spots[0].sensor.pin", b => b.LineOf("\"pin\": 3")),
        ["I2C address used twice on one bus"] = new(r => r["gates"]![1]!["devices"]!["display"]!["address"] = 39, "$.gates[1].devices.display.address", b => b.LineOf("\"address\": 39", occurrence: 2)),
        ["negative barrier travel timeout"] = new(r => r["gates"]![0]!["devices"]!["barrier"]!["travelTimeoutMs"] = -1, "$.gates[0].devices.barrier.travelTimeoutMs", b => b.LineOf("\"travelTimeoutMs\"")),
        ["printer without a device"] = new(r => ((JsonObject)r["gates"]![0]!["devices"]!["printer"]!).Remove("device"), "$.gates[0].devices.printer", b => b.LineOf("\"printer\"")),
        ["unknown member where the schema forbids it"] = new(r => r["gates"]![0]!["devices"]!["loop"]!["pinn"] = 4, "$.gates[0].devices.loop.pinn", b => b.LineOf("\"pinn\"")),
        ["ultrasonic sensor without its echo pin"] = new(r => ((JsonObject)r["spots"]![1]!["sensor"]!).Remove("echoPin"), "$.spots[1].sensor.echoPin", b => b.LineOf("\"hcsr04\"") - 1),
        ["kiosk address that is a host name"] = new(r => r["kiosk"]!["listen"] = "localhost:8088", "$.kiosk.listen", b => b.LineOf("\"listen\"")),
        ["permit card listed twice"] = new(r => r["permits"]![1]!["cardUid"] = "04A1B2C3D4E5F6", "$.permits[1].cardUid", b => b.LineOf("\"cardUid\": \"04A1B2C3D4E5F6\"", occurrence: 2)),
        ["permit expiry that is not a time"] = new(r => r["permits"]![0]!["validUntil"] = "end of 2027", "$.permits[0].validUntil", b => b.LineOf("\"end of 2027\"")),
    };

    public static TheoryData<string> BadFileNames => [.. BadFiles.Keys];

    [Theory]
    [MemberData(nameof(BadFileNames))]
    public void Parse_BadFile_IsRefusedNamingPathAndLine(string name)
    {
        var bad = BadFiles[name];
        var builder = new LotFileBuilder().With(LotDevices.Add).With(bad.Break);
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
    public void Load_DemoLot_DescribesTwoLanesWithDevicesKioskSensorsAndPermits()
    {
        var lot = LotFileLoader.Load(RepositoryPaths.DemoLot);

        var entry = lot.Gates.Single(g => g.Direction == GateDirection.Entry).Devices!;
        var exit = lot.Gates.Single(g => g.Direction == GateDirection.Exit).Devices!;
        Assert.Equal(5, entry.Loop!.Pin);
        Assert.Equal(6, entry.PassedLoop!.Pin);
        Assert.Equal(17, entry.Barrier!.RelayPin);
        Assert.Equal(TimeSpan.FromSeconds(6), entry.Barrier!.TravelTimeout);
        Assert.Equal("/dev/usb/lp0", entry.Printer!.Device);
        Assert.Equal(DisplayType.Lcd, entry.Display!.Type);
        Assert.Equal(DisplayType.Ssd1306, exit.Display!.Type);
        Assert.Equal(NfcReaderType.Mfrc522, exit.Nfc!.Type);
        Assert.Equal(120, lot.SpotSensors.Count);
        Assert.Equal(SensorKind.Hcsr04, lot.SpotSensors["E001"].Kind);
        Assert.Equal(SensorKind.Vl53l0x, lot.SpotSensors["T001"].Kind);
        Assert.Equal(SensorKind.Mqtt, lot.SpotSensors["C001"].Kind);
        Assert.Equal(new CoinAcceptorDefinition(16, 50), lot.Kiosk!.CoinAcceptor);
        Assert.Equal(CardTerminalType.Simulated, lot.Kiosk.CardTerminal!.Type);
        Assert.Equal("P-0001", lot.PermitsByUid()["04A1B2C3D4E5F6"]);
    }

    [Fact]
    public void Load_DemoLotOnHardware_RefusesTheSimulatedCardTerminalNamingItsLine()
    {
        var lines = File.ReadAllLines(RepositoryPaths.DemoLot);
        var typeLine = Array.FindIndex(lines, l => l.Contains("\"simulated\"", StringComparison.Ordinal)) + 1;

        var refused = Assert.Throws<LotFileException>(() => LotFileLoader.Load(RepositoryPaths.DemoLot, LotFileUse.Hardware));
        var verdict = LotFileValidator.Validate(RepositoryPaths.DemoLot, LotFileUse.Hardware);

        var problem = Assert.Single(verdict.Problems);
        Assert.Equal("$.kiosk.cardTerminal.type", problem.Path);
        Assert.Equal(typeLine, problem.Line);
        Assert.Contains("--simulate", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"line {typeLine}, $.kiosk.cardTerminal.type", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DemoLotSimulated_AcceptsTheSimulatedCardTerminal()
    {
        var lot = LotFileLoader.Load(RepositoryPaths.DemoLot, LotFileUse.Simulation);

        Assert.Equal(CardTerminalType.Simulated, lot.Kiosk!.CardTerminal!.Type);
    }

    [Fact]
    public void Load_HardwareDemoLotOnHardware_IsValidWithNoCardTerminal()
    {
        using var directory = new TempDirectory();

        var lot = LotFileLoader.Load(HardwareDemoLot.Write(directory.Path), LotFileUse.Hardware);

        Assert.Equal(CardTerminalType.None, lot.Kiosk!.CardTerminal!.Type);
    }

    [Fact]
    public void Load_DemoLot_LoopsAndBeamsAreWiredFailSafe()
    {
        var lot = LotFileLoader.Load(RepositoryPaths.DemoLot);

        // NC detector contacts to ground, pull-up toward "active": see hardware/wiring.md.
        Assert.All(lot.Gates, g => Assert.False(g.Devices!.Loop!.ActiveLow || g.Devices.PassedLoop!.ActiveLow || g.Devices.Beam!.ActiveLow, g.Id));
        Assert.False(new ParkingLot.Edge.Lots.DigitalInputDefinition(5).ActiveLow);
    }

    [Fact]
    public void Check_DemoLot_ConformsToTheSchema()
    {
        var bytes = File.ReadAllBytes(RepositoryPaths.DemoLot);
        using var document = System.Text.Json.JsonDocument.Parse(bytes);

        Assert.Empty(LotFileSchema.Check(document.RootElement, JsonLineIndex.Build(bytes)));
    }

    [Fact]
    public void SchemaText_IsTheRepositorySchema()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "hardware", "lot.schema.json")), LotFileSchema.Text);
    }

    [Fact]
    public void Validate_GoodFile_ReturnsTheLotAndNoProblems()
    {
        using var directory = new TempDirectory();
        var path = directory.File("lot.json");
        File.WriteAllText(path, new LotFileBuilder().With(LotDevices.Add).ToJson());

        var result = LotFileValidator.Validate(path);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("test-lot", result.Lot!.LotId);
        Assert.Equal(SensorKind.Hcsr04, result.Lot.SpotSensors["C002"].Kind);
        Assert.Equal(SensorKind.Gpio, result.Lot.SpotSensors["C001"].Kind);
    }

    [Fact]
    public void Validate_SeveralDeviceMistakes_ListsEachWithPathAndLineInFileOrder()
    {
        using var directory = new TempDirectory();
        var path = directory.File("lot.json");
        var builder = new LotFileBuilder().With(LotDevices.Add).With(r =>
        {
            r["gates"]![1]!["devices"]!["barrier"]!["relayPin"] = 17;
            r["kiosk"]!["coinAcceptor"]!["pin"] = 12;
        });
        File.WriteAllText(path, builder.ToJson());

        var result = LotFileValidator.Validate(path);

        Assert.Null(result.Lot);
        Assert.Equal(
            [
                new LotFileProblem(builder.LineOf("\"relayPin\": 17", occurrence: 2), "$.gates[1].devices.barrier.relayPin", "GPIO 17 is already used by $.gates[0].devices.barrier.relayPin"),
                new LotFileProblem(builder.LineOf("\"pin\": 12", occurrence: 2), "$.kiosk.coinAcceptor.pin", "GPIO 12 is already used by $.gates[0].devices.beam.pin"),
            ],
            result.Problems);
        Assert.Contains("lot.json is invalid", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingFile_IsOneProblemNotAnException()
    {
        var result = LotFileValidator.Validate("/nonexistent/lot.json");

        Assert.False(result.IsValid);
        Assert.Contains("cannot read the file", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_IsRefusedWithTheReason()
    {
        var ex = Assert.Throws<LotFileException>(() => LotFileLoader.Load("/nonexistent/lot.json"));

        Assert.Contains("cannot read", ex.Message, StringComparison.Ordinal);
    }
}
