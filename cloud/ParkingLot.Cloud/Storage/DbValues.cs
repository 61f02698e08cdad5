using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Storage;

/// <summary>How enums, times and JSON columns are written to the stores: camelCase names as on the wire, ISO 8601 UTC times.</summary>
internal static class DbValues
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => WireNames.Of(value);

    public static TEnum Parse<TEnum>(string value)
        where TEnum : struct, Enum => Enum.Parse<TEnum>(value, ignoreCase: true);

    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>Unix milliseconds (booking windows in the embedded store).</summary>
    public static long Ms(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    /// <summary>The canonical JSON text of a tariff: two equal definitions give equal text.</summary>
    public static string TariffJson(TariffDefinition tariff) => JsonSerializer.Serialize(tariff, ParkingLotJsonContext.Default.TariffDefinition);

    public static TariffDefinition ParseTariff(string json) =>
        JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.TariffDefinition)
        ?? throw new InvalidOperationException("A stored tariff is JSON null.");

    public static string OpeningHoursJson(IReadOnlyList<OpeningHours> hours) => JsonSerializer.Serialize(hours, JsonOptions);

    public static IReadOnlyList<OpeningHours> ParseOpeningHours(string json) =>
        JsonSerializer.Deserialize<List<OpeningHours>>(json, JsonOptions) ?? [];

    /// <summary>Distinct vehicle types in enum order.</summary>
    public static IReadOnlyList<VehicleType> Normalise(IEnumerable<VehicleType> types) => [.. types.Distinct().Order()];

    /// <summary>Comma-separated names (the embedded store's vehicle_types column).</summary>
    public static string TypeList(IEnumerable<VehicleType> types) => string.Join(',', Normalise(types).Select(Name));

    public static IReadOnlyList<VehicleType> ParseTypeList(string value) =>
        Normalise(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse<VehicleType>));
}
