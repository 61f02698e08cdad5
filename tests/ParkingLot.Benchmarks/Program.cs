using ParkingLot.Benchmarks;

// dotnet run -c Release --project tests/ParkingLot.Benchmarks -- --list | all | <name>...
var catalogue = BenchmarkCatalogue.All;
if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        ParkingLot benchmarks: each prints its figure beside the DESIGN §9 bound, measured in this run.

        usage: dotnet run -c Release --project tests/ParkingLot.Benchmarks -- <command>
          --list          list the benchmarks
          all             run every benchmark and print the table
          <name> ...      run the named benchmarks (see --list)
          --json <file>   also write the results as JSON
        """);
    return args.Length == 0 ? 2 : 0;
}

if (args.Contains("--list"))
{
    foreach (var b in catalogue)
    {
        Console.WriteLine($"{b.Name,-28} {b.Description}");
    }

    return 0;
}

var jsonIndex = Array.IndexOf(args, "--json");
var jsonPath = jsonIndex >= 0 && jsonIndex + 1 < args.Length ? args[jsonIndex + 1] : null;
var names = args.Where((a, i) => a != "--json" && (jsonIndex < 0 || i != jsonIndex + 1)).ToArray();
var selected = names.Contains("all") ? catalogue : catalogue.Where(b => names.Contains(b.Name)).ToList();
var unknown = names.Where(n => n != "all" && catalogue.All(b => b.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; run with --list to see them.");
    return 2;
}

var results = new List<BenchmarkResult>();
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
foreach (var benchmark in selected)
{
    Console.Error.WriteLine($"running {benchmark.Name}: {benchmark.Description} …");
    var figures = await benchmark.Run(cts.Token);
    results.AddRange(figures);
    foreach (var f in figures)
    {
        Console.Error.WriteLine($"  {f.Format()}");
    }
}

await CloudBenchmarks.DisposeAsync();
Console.WriteLine();
Console.WriteLine(ResultTable.Render(results));
if (jsonPath is not null)
{
    await ResultTable.WriteJsonAsync(results, jsonPath, cts.Token);
}

return results.Any(r => r.Met == false) ? 1 : 0;
