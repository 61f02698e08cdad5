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
    public static LotFile Load(string path)
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

        return Parse(bytes, path);
    }

    public static LotFile Parse(ReadOnlySpan<byte> utf8, string source)
    {
        LotFile? lot;
        try
        {
            lot = JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.LotFile);
        }
        catch (JsonException ex)
        {
            throw new LotFileException(source, [Describe(ex, utf8)]);
        }

        if (lot is null)
        {
            throw new LotFileException(source, ["line 1, $: the file holds null, not a lot"]);
        }

        var problems = Validate(lot, JsonLineIndex.Build(utf8));
        return problems.Count == 0 ? lot : throw new LotFileException(source, problems);
    }

    /// <summary>"car", "ev" …: the camelCase name used in lot files and contracts.</summary>
    public static string VehicleTypeName(VehicleType vehicleType) => JsonNamingPolicy.CamelCase.ConvertName(vehicleType.ToString());

    private static List<string> Validate(LotFile lot, JsonLineIndex lines)
    {
        var problems = new List<string>();
        void Problem(string path, string message) => problems.Add($"line {lines.LineOf(path).ToString(CultureInfo.InvariantCulture)}, {path}: {message}");

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
            Problem("$.timeZone", $"'{lot.TimeZone}' is not a known IANA time zone");
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

        foreach (var problem in TariffEngine.Validate(lot.Tariff))
        {
            Problem("$.tariff", problem);
        }

        if (!string.Equals(lot.Tariff.Currency, lot.Currency, StringComparison.Ordinal))
        {
            Problem("$.tariff.currency", $"'{lot.Tariff.Currency}' differs from the lot currency '{lot.Currency}'");
        }

        return problems;
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

    private static string Describe(JsonException ex, ReadOnlySpan<byte> utf8)
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
            return Invariant($"line {index.LineOf(path)}, {(path == "$" ? "$" : path)}.{member}: required member '{member}' is missing");
        }

        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal) && TargetType().Match(message) is { Success: true } target)
        {
            var type = target.Groups["type"].Value;
            message = type.EndsWith(".VehicleType", StringComparison.Ordinal)
                ? $"not a vehicle type (expected one of {string.Join(", ", Enum.GetValues<VehicleType>().Select(VehicleTypeName))})"
                : $"not a valid {type[(type.LastIndexOf('.') + 1)..]}";
        }

        return Invariant($"line {line}, {path}: {message}");
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
}

/// <summary>A lot file that cannot be used; <see cref="Exception.Message"/> lists every problem with its line.</summary>
internal sealed class LotFileException(string source, IReadOnlyList<string> problems)
    : Exception($"The lot file {source} is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
