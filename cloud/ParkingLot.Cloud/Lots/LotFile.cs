using System.Text;
using System.Text.Json;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Lots;

/// <summary>A lot file that cannot be used; the message starts with <c>path:line:</c> (I9).</summary>
internal sealed class LotFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A lot file as the cloud seeds it: the lot and spots, plus the optional <c>tariff</c> block (a
/// <see cref="TariffDefinition"/>) and <c>capacity</c> block (<c>{"car": {"reservable": 20}}</c>).
/// </summary>
internal sealed record SeedLot(LotDescription Lot, TariffDefinition? Tariff, IReadOnlyDictionary<VehicleType, int>? Capacity);

/// <summary>
/// Reads the cloud's view of a lot file: <see cref="LotDescription"/>, its tariff and capacity
/// split, ignoring the edge-only fields.
/// </summary>
internal static class LotFile
{
    public static async Task<SeedLot> LoadSeedAsync(string path, CancellationToken cancellationToken)
    {
        var lot = await LoadAsync(path, cancellationToken);
        return ParseSeed(path, await File.ReadAllBytesAsync(path, cancellationToken), lot);
    }

    /// <summary>The tariff and capacity blocks of an already parsed file; a bad block names its line (I9).</summary>
    public static SeedLot ParseSeed(string path, byte[] bytes, LotDescription lot)
    {
        var text = Encoding.UTF8.GetString(bytes);
        using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        TariffDefinition? tariff = null;
        if (document.RootElement.TryGetProperty("tariff", out var tariffElement) && tariffElement.ValueKind != JsonValueKind.Null)
        {
            var line = LineOf(text, "\"tariff\"", 1);
            try
            {
                tariff = tariffElement.Deserialize(ParkingLotJsonContext.Default.TariffDefinition);
            }
            catch (JsonException ex)
            {
                throw new LotFileException($"{path}:{line}: tariff: {ex.Message}", ex);
            }

            if (tariff is null || TariffEngine.Validate(tariff) is { Count: > 0 } problems)
            {
                throw new LotFileException($"{path}:{line}: tariff: {(tariff is null ? "is null" : string.Join(" ", TariffEngine.Validate(tariff)))}");
            }
        }

        Dictionary<VehicleType, int>? capacity = null;
        if (document.RootElement.TryGetProperty("capacity", out var capacityElement) && capacityElement.ValueKind != JsonValueKind.Null)
        {
            var line = LineOf(text, "\"capacity\"", 1);
            if (capacityElement.ValueKind != JsonValueKind.Object)
            {
                throw new LotFileException($"{path}:{line}: capacity must be an object of vehicle types");
            }

            capacity = [];
            foreach (var entry in capacityElement.EnumerateObject())
            {
                if (!LotAdminService.TryParseType(entry.Name, out var type))
                {
                    throw new LotFileException($"{path}:{line}: capacity: '{entry.Name}' is not a vehicle type");
                }

                if (entry.Value.ValueKind != JsonValueKind.Object
                    || !entry.Value.TryGetProperty("reservable", out var reservable)
                    || !reservable.TryGetInt32(out var share)
                    || share < 0)
                {
                    throw new LotFileException($"{path}:{line}: capacity.{entry.Name} needs \"reservable\": a whole number ≥ 0");
                }

                var spots = lot.Spots.Count(s => s.VehicleType == type);
                if (share > spots)
                {
                    throw new LotFileException($"{path}:{line}: capacity.{entry.Name}.reservable {share} exceeds the {spots} {entry.Name} spots");
                }

                capacity[type] = share;
            }
        }

        return new SeedLot(lot, tariff, capacity);
    }

    public static async Task<LotDescription> LoadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LotFileException($"{path}: cannot read the lot file: {ex.Message}", ex);
        }

        return Parse(path, bytes);
    }

    public static LotDescription Parse(string path, byte[] bytes)
    {
        LotDescription? lot;
        try
        {
            lot = JsonSerializer.Deserialize(bytes, ParkingLotJsonContext.Default.LotDescription);
        }
        catch (JsonException ex)
        {
            // JsonException counts lines from 0; editors count from 1.
            var line = (ex.LineNumber ?? 0) + 1;
            throw new LotFileException($"{path}:{line}: {ex.Message}", ex);
        }

        if (lot is null)
        {
            throw new LotFileException($"{path}:1: the file holds JSON null, not a lot");
        }

        var text = Encoding.UTF8.GetString(bytes);
        if (!LotId.IsValid(lot.LotId))
        {
            throw new LotFileException($"{path}:{LineOf(text, "\"lotId\"", 1)}: lotId '{lot.LotId}' is invalid ({LotId.Rule})");
        }

        if (string.IsNullOrWhiteSpace(lot.Name))
        {
            throw new LotFileException($"{path}:{LineOf(text, "\"name\"", 1)}: name is empty");
        }

        if (lot.Spots.Count == 0)
        {
            throw new LotFileException($"{path}:{LineOf(text, "\"spots\"", 1)}: a lot needs at least one spot");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spot in lot.Spots)
        {
            if (string.IsNullOrWhiteSpace(spot.Id))
            {
                throw new LotFileException($"{path}:{LineOf(text, "\"spots\"", 1)}: a spot has an empty id");
            }

            if (!seen.Add(spot.Id))
            {
                // The second occurrence of the quoted id is the duplicate's line.
                throw new LotFileException($"{path}:{LineOf(text, $"\"{spot.Id}\"", 2)}: spot id '{spot.Id}' appears twice");
            }
        }

        return lot;
    }

    /// <summary>1-based line of the <paramref name="occurrence"/>-th match of <paramref name="needle"/>; 1 when absent.</summary>
    private static int LineOf(string text, string needle, int occurrence)
    {
        var index = -1;
        for (var i = 0; i < occurrence; i++)
        {
            index = text.IndexOf(needle, index + 1, StringComparison.Ordinal);
            if (index < 0)
            {
                return 1;
            }
        }

        return text.AsSpan(0, index).Count('\n') + 1;
    }
}
