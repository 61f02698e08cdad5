using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkingLot.Edge.Cli;

/// <summary>`parkctl config validate --json`.</summary>
internal sealed record ConfigValidationResult(string File, bool Valid, IReadOnlyList<ConfigProblem> Problems);

internal sealed record ConfigProblem(int Line, string Path, string Message);

/// <summary>versions.json in a diag bundle, and `parkctl diag bundle --json`.</summary>
internal sealed record DiagManifest(string Parkctl, string? Agent, string Runtime, string Os, DateTimeOffset CreatedAt, IReadOnlyList<string> Files, string? AgentError);

/// <summary>`parkctl ledger export --json`.</summary>
internal sealed record ExportResult(string File, long Events, long FirstSeq, long LastSeq);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ConfigValidationResult))]
[JsonSerializable(typeof(DiagManifest))]
[JsonSerializable(typeof(ExportResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
}
