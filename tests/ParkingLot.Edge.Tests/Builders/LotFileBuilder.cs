using System.Text.Json.Nodes;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>
/// A small valid lot file (one entry, one exit, a few spots of each priced type) as JSON text, with
/// hooks to break it. Written one member per line so tests can name the line of a fault.
/// </summary>
internal sealed class LotFileBuilder
{
    private readonly JsonObject _root;

    public LotFileBuilder(string lotId = "test-lot", int cars = 4, int evs = 2, int reservableCars = 1)
    {
        var spots = new JsonArray();
        for (var i = 1; i <= cars; i++)
        {
            spots.Add(Spot($"C{i:000}", "car", "C"));
        }

        for (var i = 1; i <= evs; i++)
        {
            spots.Add(Spot($"E{i:000}", "ev", "E"));
        }

        _root = new JsonObject
        {
            ["lotId"] = lotId,
            ["name"] = "Test lot",
            ["timeZone"] = "Europe/Berlin",
            ["location"] = new JsonObject { ["lat"] = 52.5, ["lng"] = 13.4 },
            ["currency"] = "EUR",
            ["cloud"] = new JsonObject { ["broker"] = "127.0.0.1:1883" },
            ["gates"] = new JsonArray(
                new JsonObject { ["id"] = "entry-1", ["direction"] = "entry", ["name"] = "Entry" },
                new JsonObject { ["id"] = "exit-1", ["direction"] = "exit", ["name"] = "Exit" }),
            ["capacity"] = new JsonObject { ["car"] = new JsonObject { ["reservable"] = reservableCars } },
            ["tariff"] = new JsonObject
            {
                ["version"] = "test-1",
                ["currency"] = "EUR",
                ["timeZone"] = "Europe/Berlin",
                ["demandBands"] = new JsonArray(),
                ["vehicleTypes"] = new JsonObject
                {
                    ["car"] = VehicleTariff(ratePerIncrement: 100),
                    ["ev"] = VehicleTariff(ratePerIncrement: 120),
                },
            },
            ["spots"] = spots,
        };
    }

    public JsonObject Root => _root;

    public LotFileBuilder With(Action<JsonObject> change)
    {
        change(_root);
        return this;
    }

    public string ToJson() => _root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    public LotFile Build() => LotFileLoader.Parse(System.Text.Encoding.UTF8.GetBytes(ToJson()), "test-lot.json");

    /// <summary>1-based line of the first line containing <paramref name="text"/> in <see cref="ToJson"/>.</summary>
    public int LineOf(string text, int occurrence = 1)
    {
        var lines = ToJson().Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal) && --occurrence == 0)
            {
                return i + 1;
            }
        }

        throw new ArgumentException($"'{text}' is not in the lot file.", nameof(text));
    }

    private static JsonObject Spot(string id, string type, string zone) => new()
    {
        ["id"] = id,
        ["vehicleType"] = type,
        ["zone"] = zone,
        ["sensorId"] = $"sensor-{id}",
    };

    private static JsonObject VehicleTariff(long ratePerIncrement) => new()
    {
        ["incrementMinutes"] = 15,
        ["ratePerIncrement"] = ratePerIncrement,
        ["freeMinutes"] = 15,
        ["exitGraceMinutes"] = 15,
        ["dailyMax"] = 2000,
        ["lostTicketFee"] = 3000,
        ["timeBands"] = new JsonArray(),
    };
}
