using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace ParkingLot.Cloud.Tests.StripeStandIn;

/// <summary>
/// Stripe's OpenAPI 3.0 document as JSON Schema 2020-12, to hold the stand-in's responses to it: the
/// response schema of an operation (by method, path template and status, else "default") is looked up
/// in the document and the body evaluated against it. The two OpenAPI 3.0 differences that matter are
/// rewritten: <c>nullable: true</c> becomes "or null", and <c>#/components/schemas/X</c> references
/// become <c>#/$defs/X</c>.
/// </summary>
internal sealed class StripeOpenApi
{
    private readonly JsonNode _paths;
    private readonly JsonObject _defs;
    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    private StripeOpenApi(JsonNode document)
    {
        _paths = document["paths"]!;
        _defs = (JsonObject)Rewrite(document["components"]!["schemas"]!.DeepClone())!;
    }

    public static StripeOpenApi Load(string path) => new(JsonNode.Parse(File.ReadAllText(path))!);

    /// <summary>Problems of a response body, empty when it conforms; the schema name is returned too, so a test can see what was checked.</summary>
    public (string Schema, IReadOnlyList<string> Problems) Check(string method, string path, int status, string body)
    {
        var operation = Operation(method, path) ?? throw new InvalidOperationException($"Stripe's OpenAPI document has no operation {method} {path}.");
        var responses = operation["responses"]!;
        var response = responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? responses["default"]!;
        var reference = response["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        var name = reference[(reference.LastIndexOf('/') + 1)..];
        var results = Schema(name).Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return (name, results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}"))]);
    }

    private JsonSchema Schema(string name)
    {
        if (!_schemas.TryGetValue(name, out var schema))
        {
            var root = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"https://stripe-standin.test/{name}",
                ["$ref"] = $"#/$defs/{name}",
                ["$defs"] = _defs.DeepClone(),
            };
            schema = JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            _schemas[name] = schema;
        }

        return schema;
    }

    /// <summary>The operation whose path template matches (e.g. <c>/v1/payment_intents/{intent}/confirm</c>).</summary>
    private JsonNode? Operation(string method, string path)
    {
        var segments = path.Split('/');
        foreach (var (template, item) in _paths.AsObject())
        {
            var parts = template.Split('/');
            if (parts.Length == segments.Length
                && parts.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.Ordinal))
                && item![method.ToLowerInvariant()] is { } operation)
            {
                return operation;
            }
        }

        return null;
    }

    private static JsonNode? Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    obj[key] = Rewrite(obj[key]?.DeepClone());
                }

                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                {
                    obj["$ref"] = "#/$defs/" + reference.GetValue<string>()["#/components/schemas/".Length..];
                }

                if (obj["nullable"] is JsonValue nullable && nullable.GetValue<bool>())
                {
                    obj.Remove("nullable");
                    return new JsonObject { ["anyOf"] = new JsonArray(obj.DeepClone(), new JsonObject { ["type"] = "null" }) };
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Rewrite(array[i]?.DeepClone());
                }

                return array;
            default:
                return node;
        }
    }
}
