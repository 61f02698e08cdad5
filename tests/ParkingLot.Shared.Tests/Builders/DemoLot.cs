using System.Text.Json;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Shared.Tests.Builders;

/// <summary>The repository's demo lot file, read the way edge and cloud read it.</summary>
internal static class DemoLot
{
    private static readonly Lazy<TariffDefinition> LazyTariff = new(LoadTariff);

    /// <summary>Full path of hardware/lots/demo-lot.json, found by walking up from the test binaries.</summary>
    public static string FilePath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "hardware", "lots", "demo-lot.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("hardware/lots/demo-lot.json not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The "tariff" block, deserialised through <see cref="ParkingLotJsonContext"/>.</summary>
    public static TariffDefinition Tariff => LazyTariff.Value;

    private static TariffDefinition LoadTariff()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FilePath), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.GetProperty("tariff").Deserialize(ParkingLotJsonContext.Default.TariffDefinition)
            ?? throw new InvalidDataException("demo-lot.json has a null tariff.");
    }
}
