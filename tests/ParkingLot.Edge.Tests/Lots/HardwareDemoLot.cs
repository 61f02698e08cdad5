using System.Text;
using ParkingLot.Edge.Tests.Builders;

namespace ParkingLot.Edge.Tests.Lots;

/// <summary>
/// hardware/lots/demo-lot.json as a hardware installation would have it: the same devices and pins,
/// with the kiosk's card terminal set to "none" (a simulated terminal is refused without --simulate).
/// </summary>
internal static class HardwareDemoLot
{
    public const string SimulatedTerminal = "\"cardTerminal\": {\n      \"type\": \"simulated\"\n    }";

    /// <summary>Writes the copy into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        var text = File.ReadAllText(RepositoryPaths.DemoLot);
        if (!text.Contains(SimulatedTerminal, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("demo-lot.json no longer has the simulated card terminal this helper replaces; update HardwareDemoLot.");
        }

        var path = Path.Combine(directory, "demo-lot.hardware.json");
        File.WriteAllText(path, text.Replace(SimulatedTerminal, "\"cardTerminal\": {\n      \"type\": \"none\"\n    }", StringComparison.Ordinal), new UTF8Encoding(false));
        return path;
    }
}
