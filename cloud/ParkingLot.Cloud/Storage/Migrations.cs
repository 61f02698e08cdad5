using DbUp.Builder;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// Runs the plain-SQL migrations embedded from <c>Storage/{Postgres|Sqlite}/Migrations/*.sql</c> with
/// DbUp: in file-name order, each once (journal table <c>schemaversions</c>), each in its own
/// transaction, so a failing script leaves the schema at the previous one and stops the start.
/// Any feature adds a schema change by dropping the next numbered file into the folder.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<string> Run(UpgradeEngineBuilder builder, string engineFolder)
    {
        var prefix = $"{typeof(Migrations).Namespace}.{engineFolder}.Migrations.";
        var engine = builder
            .WithScriptsEmbeddedInAssembly(
                typeof(Migrations).Assembly,
                name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Migration {result.ErrorScript?.Name ?? "(unknown)"} failed: {result.Error?.Message}", result.Error);
        }

        return [.. result.Scripts.Select(s => s.Name[prefix.Length..])];
    }
}
