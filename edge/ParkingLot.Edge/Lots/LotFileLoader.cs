using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ParkingLot.Edge.Sync;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Lots;

/// <summary>
/// Reads and validates a lot file (invariant I9: a bad lot file is refused at start with the line at
/// fault). Every problem is reported as <c>line N, $.json.path: what is wrong</c>; all semantic
/// problems are listed at once so a technician fixes the file in one pass.
/// </summary>
internal static partial class LotFileLoader
{
    public static LotFile Load(string path, LotFileUse use = LotFileUse.Any)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LotFileException(path, [$"cannot read the file: {ex.Message}"]);
        }

        return Parse(bytes, path, use);
    }

    public static LotFile Parse(ReadOnlySpan<byte> utf8, string source, LotFileUse use = LotFileUse.Any)
    {
        var (lot, problems) = Check(utf8, use);
        return lot is not null && problems.Count == 0 ? lot : throw new LotFileException(source, [.. problems.Select(p => p.ToString())]);
    }

    /// <summary>"car", "ev" …: the camelCase name used in lot files and contracts.</summary>
    public static string VehicleTypeName(VehicleType vehicleType) => WireNames.Of(vehicleType);

    /// <summary>
    /// Every problem of the file, in four stages, each only on a file that passed the one before:
    /// JSON syntax; hardware/lot.schema.json (shapes, names, ranges); reading into <see cref="LotFile"/>;
    /// the rules a schema cannot express (uniqueness, pins, capacity, tariff), and those of
    /// <paramref name="use"/> (on hardware, no simulated device). The lot is null when the file could
    /// not be read into one.
    /// </summary>
    public static (LotFile? Lot, IReadOnlyList<LotFileProblem> Problems) Check(ReadOnlySpan<byte> utf8, LotFileUse use = LotFileUse.Any)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException syntax)
        {
            return (null, [SyntaxProblem(syntax, utf8)]);
        }

        using (document)
        {
            var lines = JsonLineIndex.Build(utf8);
            var schemaProblems = LotFileSchema.Check(document.RootElement, lines);
            if (schemaProblems.Count > 0)
            {
                return (null, schemaProblems);
            }

            LotFile? lot;
            LotSpotSensors? sensors;
            try
            {
                lot = JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.LotFile);
                sensors = JsonSerializer.Deserialize(utf8, LotDevicesJsonContext.Default.LotSpotSensors);
            }
            catch (JsonException ex)
            {
                return (null, [Describe(ex, utf8)]);
            }

            if (lot is null || sensors is null)
            {
                return (null, [new LotFileProblem(1, "$", "the file holds null, not a lot")]);
            }

            lot = lot with
            {
                SpotSensors = sensors.Spots
                    .Where(s => s.Sensor is not null)
                    .GroupBy(s => s.Id, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First().Sensor!, StringComparer.Ordinal),
            };
            var problems = Validate(lot, sensors, lines, use);
            return (lot, problems);
        }
    }

    private static LotFileProblem SyntaxProblem(JsonException syntax, ReadOnlySpan<byte> utf8)
    {
        // The deserialiser knows the JSON path of a syntax error, the document parser does not; both
        // stop at the same token.
        try
        {
            JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.LotFile);
        }
        catch (JsonException ex) when (ex.LineNumber == syntax.LineNumber)
        {
            return Describe(ex, utf8);
        }

        var message = ReaderPosition().Replace(syntax.Message, string.Empty);
        return new LotFileProblem((int)(syntax.LineNumber ?? 0) + 1, syntax.Path ?? "$", message);
    }

    private static List<LotFileProblem> Validate(LotFile lot, LotSpotSensors sensors, JsonLineIndex lines, LotFileUse use)
    {
        var problems = new List<LotFileProblem>();
        void Problem(string path, string message) => problems.Add(new LotFileProblem(lines.LineOf(path), path, message));

        if (!LotIdPattern().IsMatch(lot.LotId))
        {
            Problem("$.lotId", $"'{lot.LotId}' is not a lot id (1-64 letters, digits, '.', '_' or '-'; it is part of MQTT topic names)");
        }

        if (string.IsNullOrWhiteSpace(lot.Name))
        {
            Problem("$.name", "must not be empty");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(lot.TimeZone, out _))
        {
            Problem("$.timeZone", $"'{lot.TimeZone}' is not a known IANA time zone (e.g. Europe/Berlin)");
        }

        if (!Money.IsValidCurrency(lot.Currency))
        {
            Problem("$.currency", $"'{lot.Currency}' is not an ISO 4217 currency code");
        }

        if (lot.Cloud is { } cloud && !BrokerAddress.TryParse(cloud.Broker, out _))
        {
            Problem("$.cloud.broker", $"'{cloud.Broker}' is not host:port (port 1-65535)");
        }

        ValidateGates(lot, Problem);
        ValidateSpots(lot, Problem);
        ValidateCapacity(lot, Problem);
        ValidateTariff(lot, Problem);
        ValidateDevices(lot, sensors, Problem);
        ValidateUse(lot, use, Problem);
        return [.. problems.OrderBy(p => p.Line)];
    }

    private static void ValidateTariff(LotFile lot, Action<string, string> problem)
    {
        foreach (var message in TariffEngine.Validate(lot.Tariff))
        {
            // The engine names the member at fault first ("vehicleTypes.car.dailyMax (100) must be …").
            var member = TariffMember().Match(message);
            problem(member.Success ? "$.tariff." + member.Groups["path"].Value : "$.tariff", message.TrimEnd('.'));
        }

        if (!string.Equals(lot.Tariff.Currency, lot.Currency, StringComparison.Ordinal))
        {
            problem("$.tariff.currency", $"'{lot.Tariff.Currency}' differs from the lot currency '{lot.Currency}'");
        }
    }

    private static void ValidateGates(LotFile lot, Action<string, string> problem)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lot.Gates.Count; i++)
        {
            var gate = lot.Gates[i];
            if (string.IsNullOrWhiteSpace(gate.Id))
            {
                problem(Invariant($"$.gates[{i}].id"), "must not be empty");
            }
            else if (!seen.Add(gate.Id))
            {
                problem(Invariant($"$.gates[{i}].id"), $"duplicate gate id '{gate.Id}'");
            }
        }

        if (!lot.Gates.Any(g => g.Direction == GateDirection.Entry) || !lot.Gates.Any(g => g.Direction == GateDirection.Exit))
        {
            problem("$.gates", "needs at least one entry and one exit gate");
        }
    }

    private static void ValidateSpots(LotFile lot, Action<string, string> problem)
    {
        if (lot.Spots.Count == 0)
        {
            problem("$.spots", "a lot needs at least one spot");
        }

        var spotIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var sensorIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lot.Spots.Count; i++)
        {
            var spot = lot.Spots[i];
            if (string.IsNullOrWhiteSpace(spot.Id))
            {
                problem(Invariant($"$.spots[{i}].id"), "must not be empty");
            }
            else if (!spotIds.TryAdd(spot.Id, i))
            {
                problem(Invariant($"$.spots[{i}].id"), Invariant($"duplicate spot id '{spot.Id}' (first used by $.spots[{spotIds[spot.Id]}])"));
            }

            if (spot.SensorId is { } sensor && !sensorIds.TryAdd(sensor, i))
            {
                problem(Invariant($"$.spots[{i}].sensorId"), Invariant($"sensor '{sensor}' already watches $.spots[{sensorIds[sensor]}]"));
            }

            if (!lot.Tariff.VehicleTypes.ContainsKey(spot.VehicleType))
            {
                problem(Invariant($"$.spots[{i}].vehicleType"), $"the tariff has no price for '{VehicleTypeName(spot.VehicleType)}'");
            }
        }
    }

    private static void ValidateCapacity(LotFile lot, Action<string, string> problem)
    {
        foreach (var (key, share) in lot.Capacity)
        {
            var path = $"$.capacity.{key}";
            if (!Enum.TryParse<VehicleType>(key, ignoreCase: true, out var vehicleType) || !string.Equals(key, VehicleTypeName(vehicleType), StringComparison.Ordinal))
            {
                problem(path, $"'{key}' is not a vehicle type (expected one of {string.Join(", ", Enum.GetValues<VehicleType>().Select(VehicleTypeName))})");
                continue;
            }

            var spots = lot.SpotsOf(vehicleType).Count();
            if (share.Reservable < 0 || share.Reservable > spots)
            {
                problem(path + ".reservable", Invariant($"{share.Reservable} is outside 0..{spots} (the lot has {spots} '{key}' spots)"));
            }
        }
    }

    private static LotFileProblem Describe(JsonException ex, ReadOnlySpan<byte> utf8)
    {
        var path = ex.Path ?? "$";
        var line = (ex.LineNumber ?? 0) + 1;
        var message = PathSuffix().Replace(ex.Message, string.Empty);

        // "missing required properties including: 'lotId'" is raised at the end of the object; point
        // at the object and name the member, which is what the technician has to add.
        if (MissingMember().Match(message) is { Success: true } missing)
        {
            var member = missing.Groups["name"].Value;
            var index = JsonLineIndex.Build(utf8);
            return new LotFileProblem(index.LineOf(path), $"{path}.{member}", $"required member '{member}' is missing");
        }

        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal) && TargetType().Match(message) is { Success: true } target)
        {
            var type = target.Groups["type"].Value;
            message = type.EndsWith(".VehicleType", StringComparison.Ordinal)
                ? $"not a vehicle type (expected one of {string.Join(", ", Enum.GetValues<VehicleType>().Select(VehicleTypeName))})"
                : $"not a valid {type[(type.LastIndexOf('.') + 1)..]}";
        }

        return new LotFileProblem((int)line, path, message);
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex LotIdPattern();

    [GeneratedRegex(@"\s*Path: .*$", RegexOptions.Singleline)]
    private static partial Regex PathSuffix();

    [GeneratedRegex(@"missing required properties including: '(?<name>[^']+)'")]
    private static partial Regex MissingMember();

    [GeneratedRegex(@"converted to (?<type>[\w.]+)")]
    private static partial Regex TargetType();

    [GeneratedRegex(@"\s*LineNumber: .*$", RegexOptions.Singleline)]
    private static partial Regex ReaderPosition();

    [GeneratedRegex(@"^(?<path>(version|currency|timeZone|vehicleTypes|demandBands)[\w.\[\]]*)")]
    private static partial Regex TariffMember();
}

/// <summary>A lot file that cannot be used; <see cref="Exception.Message"/> lists every problem with its line.</summary>
internal sealed class LotFileException(string source, IReadOnlyList<string> problems)
    : Exception($"The lot file {source} is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
