using System.Globalization;
using System.Text.Json;

namespace ParkingLot.Cloud.Storage;

/// <summary>How enums and times are written to the store: the same camelCase names as on the wire, ISO 8601 UTC times.</summary>
internal static class DbValues
{
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static TEnum Parse<TEnum>(string value)
        where TEnum : struct, Enum => Enum.Parse<TEnum>(value, ignoreCase: true);

    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
