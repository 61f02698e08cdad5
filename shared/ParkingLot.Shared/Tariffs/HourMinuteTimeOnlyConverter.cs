using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkingLot.Shared.Tariffs;

/// <summary>
/// Reads "HH:mm" or "HH:mm:ss" and writes "HH:mm" (seconds only when present): operators write band
/// times as "20:00", which System.Text.Json's built-in TimeOnly format ("HH:mm:ss") refuses.
/// </summary>
public sealed class HourMinuteTimeOnlyConverter : JsonConverter<TimeOnly>
{
    private static readonly string[] Formats = ["HH:mm", "HH:mm:ss"];

    /// <inheritdoc />
    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A time of day must be a string \"HH:mm\".");
        }

        var text = reader.GetString();
        if (!TimeOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            throw new JsonException($"'{text}' is not a time of day \"HH:mm\" (00:00–23:59).");
        }

        return time;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(value.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture));
}
