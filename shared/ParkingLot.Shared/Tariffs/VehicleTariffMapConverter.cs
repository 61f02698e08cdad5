using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Tariffs;

/// <summary>
/// JSON object keyed by camelCase vehicle type ("car", "ev") ↔ <see cref="VehicleTariff"/> per type.
/// Written by hand so the keys follow the same camelCase spelling as enum values elsewhere on the wire,
/// and so an unknown, numeric or repeated key is refused with a message naming it instead of being
/// silently dropped or overwritten.
/// </summary>
public sealed class VehicleTariffMapConverter : JsonConverter<IReadOnlyDictionary<VehicleType, VehicleTariff>>
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<VehicleType, VehicleTariff> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("vehicleTypes must be an object keyed by vehicle type (\"car\", \"ev\", …).");
        }

        var info = (JsonTypeInfo<VehicleTariff>)options.GetTypeInfo(typeof(VehicleTariff));
        var result = new Dictionary<VehicleType, VehicleTariff>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString() ?? string.Empty;
            if (!TryParseVehicleType(key, out var vehicleType))
            {
                throw new JsonException($"vehicleTypes: '{key}' is not a vehicle type (expected one of {string.Join(", ", WireNames.All<VehicleType>())}).");
            }

            if (result.ContainsKey(vehicleType))
            {
                throw new JsonException($"vehicleTypes: '{key}' appears more than once.");
            }

            reader.Read();
            result[vehicleType] = JsonSerializer.Deserialize(ref reader, info)
                ?? throw new JsonException($"vehicleTypes.{key} must not be null.");
        }

        return result;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<VehicleType, VehicleTariff> value, JsonSerializerOptions options)
    {
        var info = (JsonTypeInfo<VehicleTariff>)options.GetTypeInfo(typeof(VehicleTariff));
        writer.WriteStartObject();
        foreach (var (vehicleType, tariff) in value.OrderBy(p => p.Key))
        {
            writer.WritePropertyName(WireNames.Of(vehicleType));
            JsonSerializer.Serialize(writer, tariff, info);
        }

        writer.WriteEndObject();
    }

    private static bool TryParseVehicleType(string key, out VehicleType vehicleType)
    {
        vehicleType = default;

        // Enum.TryParse also accepts "1" or "car, ev"; only a plain defined name is a key.
        return key.Length > 0
            && key.All(char.IsAsciiLetter)
            && Enum.TryParse(key, ignoreCase: true, out vehicleType)
            && Enum.IsDefined(vehicleType);
    }
}
