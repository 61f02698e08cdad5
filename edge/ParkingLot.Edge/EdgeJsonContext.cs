using System.Text.Json;
using System.Text.Json.Serialization;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Traffic;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge;

/// <summary>
/// Source-generated JSON metadata of the edge's own files (lot file, traffic scenarios), with the
/// same rules as the wire contracts: camelCase, enums as strings, comments and trailing commas
/// allowed, missing required members and nulls in non-nullable members rejected.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(LotFile))]
[JsonSerializable(typeof(VehicleTariff))]
[JsonSerializable(typeof(TrafficScenario))]
internal sealed partial class EdgeJsonContext : JsonSerializerContext
{
}
