using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ParkingLot.Edge.Control;

// The diagnostics bundle: versions, the redacted lot file, settings and the recent log lines.
internal sealed partial class ControlService
{
    public DiagResponse Diag()
    {
        var lotFile = Path.GetFullPath(edgeOptions.Value.LotFile);
        string? redacted;
        try
        {
            redacted = Redact(File.ReadAllText(lotFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            redacted = null;
        }

        string[] sections = ["Edge", "Sync", "Traffic", "Control", "Simulation", "Lanes", "Time", "Logging"];
        var settings = configuration.AsEnumerable()
            .Where(kv => kv.Value is not null && sections.Any(s => kv.Key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
            .OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(kv => kv.Key, kv => IsSecret(kv.Key) ? "***" : kv.Value, StringComparer.OrdinalIgnoreCase);
        return new DiagResponse(agent.Version, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, lotFile, redacted, settings, logs.Snapshot());
    }

    /// <summary>Replaces the value of every member whose name suggests a secret (password, secret, token, key) with ***.</summary>
    internal static string Redact(string json)
    {
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        RedactNode(root);
        return root?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
    }

    private static void RedactNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (IsSecret(name) && value is JsonValue)
                    {
                        obj[name] = "***";
                    }
                    else
                    {
                        RedactNode(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RedactNode(item);
                }

                break;
            default:
                break;
        }
    }

    private static bool IsSecret(string name)
    {
        var last = name[(name.LastIndexOf(':') + 1)..];
        return last.Contains("password", StringComparison.OrdinalIgnoreCase)
            || last.Contains("secret", StringComparison.OrdinalIgnoreCase)
            || last.Contains("token", StringComparison.OrdinalIgnoreCase)
            || last.EndsWith("key", StringComparison.OrdinalIgnoreCase);
    }
}
