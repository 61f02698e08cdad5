namespace ParkingLot.Edge.Tests.Builders;

/// <summary>A fresh folder per test, removed afterwards (each test owns its data).</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "parkinglot-edge-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed agent may still be releasing the folder; the OS temp cleaner takes it.
        }
    }
}

/// <summary>Paths of repository files the tests read (lot files, scenarios, the built agent).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string DemoLot => Path.Combine(Root, "hardware", "lots", "demo-lot.json");

    public static string DemoScenario => Path.Combine(Root, "hardware", "scenarios", "demo-day.json");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "ParkingLot.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ParkingLot.sln above {AppContext.BaseDirectory}.");
    }
}
