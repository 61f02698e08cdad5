namespace ParkingLot.Edge;

/// <summary>
/// The agent's command line: a few short options mapped onto configuration keys, so that every one
/// of them can also come from appsettings.json or environment variables (Edge__LotFile …). Anything
/// else in <c>--Section:Key=value</c> form passes through to the standard command-line provider.
/// </summary>
internal sealed record EdgeCommandLine(IReadOnlyDictionary<string, string?> Settings, string[] Passthrough, bool Help, string? Error)
{
    public const string Usage = """
        ParkingLot edge agent

        Usage: ParkingLot.Edge [options]

          --lot <file>          lot file (default hardware/lots/demo-lot.json, relative to the working directory)
          --data <dir>          ledger folder (default ./.data/edge/<lotId>)
          --simulate            simulated sensors and barriers, with traffic played from a scenario
          --traffic <file>      traffic scenario (default hardware/scenarios/demo-day.json)
          --speed <x>           scenario time compression, scenario seconds per real second (default 60)
          --broker <host:port>  MQTT broker; overrides the lot file's cloud.broker
          --offline             no MQTT at all; events stay in the outbox
          --help                this text

        Any setting can also be given as --Section:Key=value (e.g. --Sync:HeartbeatInterval=00:00:05).
        """;

    private static readonly Dictionary<string, string> ValueOptions = new(StringComparer.Ordinal)
    {
        ["--lot"] = "Edge:LotFile",
        ["--data"] = "Edge:DataDirectory",
        ["--broker"] = "Sync:Broker",
        ["--traffic"] = "Traffic:Scenario",
        ["--speed"] = "Traffic:Speed",
    };

    private static readonly Dictionary<string, string> FlagOptions = new(StringComparer.Ordinal)
    {
        ["--simulate"] = "Edge:Simulate",
        ["--offline"] = "Sync:Offline",
    };

    public static EdgeCommandLine Parse(IReadOnlyList<string> args)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var passthrough = new List<string>();
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inlineValue) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (name is "--help" or "-h" or "-?")
            {
                help = true;
            }
            else if (FlagOptions.TryGetValue(name, out var flagKey))
            {
                settings[flagKey] = inlineValue ?? "true";
            }
            else if (ValueOptions.TryGetValue(name, out var valueKey))
            {
                var value = inlineValue ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null);
                if (string.IsNullOrWhiteSpace(value))
                {
                    return new EdgeCommandLine(settings, [], help, $"{name} needs a value.");
                }

                settings[valueKey] = value;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                passthrough.Add(arg);
            }
            else
            {
                return new EdgeCommandLine(settings, [], help, $"Unknown option '{arg}'.");
            }
        }

        return new EdgeCommandLine(settings, [.. passthrough], help, null);
    }
}
