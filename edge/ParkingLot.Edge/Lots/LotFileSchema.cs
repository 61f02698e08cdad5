using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace ParkingLot.Edge.Lots;

/// <summary>
/// hardware/lot.schema.json (draft 2020-12), embedded in the agent, evaluated with JsonSchema.Net. Its
/// errors are rewritten for a technician: the JSON path and line of the member at fault, and what is
/// expected there (the allowed names or values, read from the schema itself) instead of the library's
/// generic "All values fail against the false schema".
/// </summary>
internal static class LotFileSchema
{
    private const string ResourceName = "ParkingLot.Edge.Lots.lot.schema.json";

    private static readonly Lazy<(JsonSchema Schema, JsonNode Node)> Loaded = new(Load);

    /// <summary>The schema text shipped with this agent.</summary>
    public static string Text
    {
        get
        {
            using var stream = typeof(LotFileSchema).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Problems of <paramref name="root"/> against the schema, in file order; empty when it conforms.</summary>
    public static IReadOnlyList<LotFileProblem> Check(JsonElement root, JsonLineIndex lines)
    {
        var (schema, schemaNode) = Loaded.Value;
        var results = schema.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return [];
        }

        var problems = new List<LotFileProblem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string path, int line, string message)
        {
            var problem = new LotFileProblem(line, path, message);
            if (seen.Add(problem.ToString()))
            {
                problems.Add(problem);
            }
        }

        // Walk only the failed part of the tree. A failed "if" is a condition, not an error; the
        // branches of a satisfied "anyOf" fail by design; "not" fails when its subschema passes.
        void Collect(EvaluationResults node, JsonNode? parentSchema)
        {
            if (node.IsValid)
            {
                return;
            }

            var instancePointer = node.InstanceLocation.ToString();
            var instance = ToJsonPath(instancePointer, root);
            var value = Evaluate(root, instancePointer);
            var subschema = Resolve(schemaNode, Uri.UnescapeDataString(node.SchemaLocation.Fragment.TrimStart('#')));
            foreach (var (keyword, message) in node.Errors ?? [])
            {
                Describe(keyword, message, node.EvaluationPath.ToString(), instance, value, subschema, parentSchema, lines.LineOf(instance), Add);
            }

            var children = node.Details ?? [];
            var branches = children.Where(c => Keyword(c, parent: true) == "anyOf").ToList();
            if (branches.Count > 0 && branches.All(b => !b.IsValid))
            {
                var options = (subschema?["anyOf"] as JsonArray ?? []).Select(b => string.Join(" and ", Names(b?["required"]).Select(n => $"'{n}'")));
                Add(instance, lines.LineOf(instance), $"needs {string.Join(" or ", options)}");
            }

            foreach (var child in children)
            {
                if (branches.Contains(child) || Keyword(child, parent: false) is "if" or "not")
                {
                    continue;
                }

                Collect(child, subschema);
            }
        }

        Collect(results, null);
        return [.. problems.OrderBy(p => p.Line)];
    }

    private static void Describe(string keyword, string message, string evaluationPath, string instance, JsonElement? value, JsonNode? subschema, JsonNode? parentSchema, int line, Action<string, int, string> add)
    {
        switch (keyword)
        {
            case "required":
                var present = value is { ValueKind: JsonValueKind.Object } obj ? obj.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal) : [];
                foreach (var member in Names(subschema?["required"]).Where(n => !present.Contains(n)))
                {
                    add(instance + "." + member, line, $"required member '{member}' is missing");
                }

                break;
            case "" when evaluationPath.EndsWith("/additionalProperties", StringComparison.Ordinal):
                var allowed = (parentSchema?["properties"] as JsonObject)?.Select(p => p.Key).Where(k => k != "$schema").ToList() ?? [];
                var name = instance[(instance.LastIndexOf('.') + 1)..];
                add(instance, line, allowed.Count == 0
                    ? $"unknown member '{name}'"
                    : $"unknown member '{name}' (expected one of: {string.Join(", ", allowed)})");
                break;
            case "enum":
                var values = (subschema?["enum"] as JsonArray ?? []).Select(v => v?.ToJsonString() ?? "null");
                add(instance, line, $"{Show(value)} is not allowed (expected one of: {string.Join(", ", values)})");
                break;
            case "pattern":
                var description = TextOf(subschema?["description"]) ?? "pattern " + TextOf(subschema?["pattern"]);
                add(instance, line, $"{Show(value)} does not have the expected form ({description})");
                break;
            case "not":
                add(instance, line, $"give only one of {string.Join(" and ", Names(subschema?["not"]?["required"]).Select(n => $"'{n}'"))}");
                break;
            case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum":
                var low = subschema?["minimum"]?.ToJsonString();
                var high = subschema?["maximum"]?.ToJsonString();
                var range = (low, high) switch
                {
                    (not null, not null) => $"between {low} and {high}",
                    (not null, null) => $"at least {low}",
                    (null, not null) => $"at most {high}",
                    _ => message.TrimEnd('.'),
                };
                add(instance, line, $"must be {range} (is {Show(value)})");
                break;
            case "format":
                add(instance, line, $"{Show(value)} is not a valid {TextOf(subschema?["format"])} (e.g. 2027-12-31T23:59:59Z)");
                break;
            case "type":
                add(instance, line, $"{Show(value)} has the wrong type: expected {subschema?["type"]?.ToJsonString().Replace("\"", string.Empty, StringComparison.Ordinal)}");
                break;
            default:
                add(instance, line, message.TrimEnd('.'));
                break;
        }
    }

    /// <summary>The keyword that created <paramref name="node"/>: its last evaluation-path segment, or the one before (for anyOf/0).</summary>
    private static string Keyword(EvaluationResults node, bool parent)
    {
        var segments = node.EvaluationPath.ToString().Split('/');
        return parent ? (segments.Length >= 2 ? segments[^2] : string.Empty) : segments[^1];
    }

    /// <summary>"/spots/3/id" → "$.spots[3].id": arrays get brackets, as in <see cref="JsonException.Path"/>.</summary>
    public static string ToJsonPath(string pointer, JsonElement root)
    {
        var path = new StringBuilder("$");
        var current = (JsonElement?)root;
        foreach (var segment in Segments(pointer))
        {
            if (current is { ValueKind: JsonValueKind.Array } array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                path.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                current = index < array.GetArrayLength() ? array[index] : null;
            }
            else
            {
                path.Append('.').Append(segment);
                current = current is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(segment, out var child) ? child : null;
            }
        }

        return path.ToString();
    }

    private static (JsonSchema, JsonNode) Load()
    {
        var text = Text;

        // A registry of its own: the global one refuses a second registration of the same $id (tests
        // and parkctl may load the schema next to each other in one process).
        var schema = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        return (schema, JsonNode.Parse(text)!);
    }

    private static IEnumerable<string> Segments(string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));

    /// <summary>
    /// The subschema at <paramref name="pointer"/>. JsonSchema.Net 8 appends a stray segment to the
    /// schema location of some nodes ("…/additionalProperties/digitalInput"); the deepest resolvable
    /// prefix is the subschema meant.
    /// </summary>
    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        var node = (JsonNode?)root;
        foreach (var segment in Segments(pointer))
        {
            var next = node switch
            {
                JsonObject obj => obj[segment],
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
                _ => null,
            };
            if (next is null)
            {
                return node;
            }

            node = next;
        }

        return node;
    }

    private static JsonElement? Evaluate(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var segment in Segments(pointer))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < current.GetArrayLength())
            {
                current = current[i];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static IEnumerable<string> Names(JsonNode? array) =>
        (array as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>();

    private static string? TextOf(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private static string Show(JsonElement? value) => value switch
    {
        null => "the value",
        { ValueKind: JsonValueKind.String } s => $"'{s.GetString()}'",
        { } v => v.GetRawText().Length <= 40 ? v.GetRawText() : v.ValueKind.ToString().ToLowerInvariant(),
    };
}

/// <summary>One problem of a lot file: the line and JSON path at fault, and what is wrong or expected there.</summary>
internal sealed record LotFileProblem(int Line, string Path, string Message)
{
    public override string ToString() => FormattableString.Invariant($"line {Line}, {Path}: {Message}");
}
