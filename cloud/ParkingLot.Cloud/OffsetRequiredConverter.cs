using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkingLot.Cloud;

/// <summary>
/// Reads a <see cref="DateTimeOffset"/> only from an ISO 8601 time that carries its offset (<c>Z</c> or
/// <c>±hh:mm</c>): <c>2026-12-02T10:00:00</c> alone would be read in the server's zone, a different
/// instant on every machine. Writes the round-trip form, as the default does.
/// </summary>
internal sealed class OffsetRequiredConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A time is an ISO 8601 string with an offset, e.g. 2026-12-02T10:00:00+01:00 or 2026-12-02T09:00:00Z.");
        }

        var text = reader.GetString()!;
        if (!HasOffset(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            || text.IndexOf('T', StringComparison.Ordinal) != 10)
        {
            throw new JsonException($"'{Shorten(text)}' is not an ISO 8601 time with an offset, e.g. 2026-12-02T10:00:00+01:00 or 2026-12-02T09:00:00Z.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Ends in <c>Z</c> or <c>±hh:mm</c> after the time of day.</summary>
    internal static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z')
        || (text.Length > 16 && text[^6] is '+' or '-' && text[^3] == ':' && char.IsAsciiDigit(text[^5]) && char.IsAsciiDigit(text[^4])
            && char.IsAsciiDigit(text[^2]) && char.IsAsciiDigit(text[^1]));

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
