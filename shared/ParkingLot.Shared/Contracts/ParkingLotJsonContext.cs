using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkingLot.Shared.Contracts;

/// <summary>
/// Source-generated System.Text.Json metadata for every wire message. camelCase names, enums as
/// camelCase strings, unknown members tolerated, missing constructor parameters and nulls in
/// non-nullable members rejected.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(LedgerEvent))]
[JsonSerializable(typeof(EdgeEventBatch))]
[JsonSerializable(typeof(CloudAck))]
[JsonSerializable(typeof(EdgeState))]
[JsonSerializable(typeof(VehicleEntered))]
[JsonSerializable(typeof(VehicleExited))]
[JsonSerializable(typeof(OccupancyChanged))]
[JsonSerializable(typeof(TicketIssued))]
[JsonSerializable(typeof(PaymentRecorded))]
[JsonSerializable(typeof(GateFault))]
[JsonSerializable(typeof(BarrierMoved))]
[JsonSerializable(typeof(BarrierReversed))]
[JsonSerializable(typeof(AgentStarted))]
[JsonSerializable(typeof(ControlCommand))]
[JsonSerializable(typeof(LaneVehicleDetected))]
[JsonSerializable(typeof(LaneCredentialChecked))]
[JsonSerializable(typeof(LaneAdmitted))]
[JsonSerializable(typeof(LaneRefused))]
[JsonSerializable(typeof(LaneVehiclePassing))]
[JsonSerializable(typeof(LaneVehicleWithdrew))]
[JsonSerializable(typeof(LaneTailgate))]
[JsonSerializable(typeof(LaneRecovered))]
[JsonSerializable(typeof(LaneReset))]
[JsonSerializable(typeof(BarrierFault))]
[JsonSerializable(typeof(LotDescription))]
[JsonSerializable(typeof(Money))]
[JsonSerializable(typeof(ParkingLot.Shared.Tariffs.TariffDefinition))]
[JsonSerializable(typeof(ParkingLot.Shared.Tariffs.VehicleTariff))]
[JsonSerializable(typeof(ParkingLot.Shared.Tariffs.FeeQuote))]
[JsonSerializable(typeof(ParkingLot.Shared.Credentials.Credential))]
public sealed partial class ParkingLotJsonContext : JsonSerializerContext
{
}
