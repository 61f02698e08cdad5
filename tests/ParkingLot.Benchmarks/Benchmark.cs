using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ParkingLot.Benchmarks;

/// <summary>A named measurement that yields one or more figures.</summary>
internal sealed record Benchmark(string Name, string Description, Func<CancellationToken, Task<IReadOnlyList<BenchmarkResult>>> Run);

/// <summary>
/// One figure beside its bound. <see cref="HigherIsBetter"/> decides the ratio's direction:
/// ratio ≥ 1 means the bound is met.
/// </summary>
internal sealed record BenchmarkResult(string Name, double Figure, string Unit, double? Bound, bool HigherIsBetter, string? Note = null)
{
    public double? Ratio => Bound is { } b && b != 0 && Figure != 0 ? (HigherIsBetter ? Figure / b : b / Figure) : null;

    public bool? Met => Ratio is { } r ? r >= 1 : null;

    public string Format() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}: {Figure:#,0.###} {Unit}") +
        (Bound is { } b ? string.Create(CultureInfo.InvariantCulture, $" (bound {(HigherIsBetter ? "≥" : "<")} {b:#,0.###}, ratio {Ratio:0.00})") : string.Empty);
}

internal static class Measure
{
    /// <summary>Runs <paramref name="action"/> <paramref name="count"/> times; returns operations per second.</summary>
    public static async Task<double> ThroughputAsync(int count, Func<int, Task> action)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await action(i);
        }

        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Percentile (0..100) of an unsorted sample, nearest-rank.</summary>
    public static double Percentile(IReadOnlyList<double> sample, double percentile)
    {
        var sorted = sample.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

internal static class ResultTable
{
    public static string Render(IReadOnlyList<BenchmarkResult> results)
    {
        var rows = results.Select(r => new[]
        {
            r.Name,
            r.Figure.ToString("#,0.###", CultureInfo.InvariantCulture),
            r.Unit,
            r.Bound is { } b ? $"{(r.HigherIsBetter ? "≥" : "<")} {b.ToString("#,0.###", CultureInfo.InvariantCulture)}" : "—",
            r.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "—",
            r.Met switch { true => "ok", false => "MISSED", null => "" },
            r.Note ?? string.Empty,
        }).ToList();
        string[] header = ["benchmark", "figure", "unit", "bound", "ratio", "", "note"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join(" │ ", cells.Select((c, i) => i is 1 or 4 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        sb.AppendLine(string.Join("─┼─", widths.Select(w => new string('─', w))));
        rows.ForEach(Line);
        return sb.ToString();
    }

    public static async Task WriteJsonAsync(IReadOnlyList<BenchmarkResult> results, string path, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, results.Select(r => new { r.Name, r.Figure, r.Unit, r.Bound, r.Ratio, r.Met, r.Note }), cancellationToken: cancellationToken);
    }
}
