using System.Text.Json.Serialization;

namespace ParkingLot.Cloud.Mqtt;

/// <summary>The retained message on <c>parking/v1/cloud/state</c>; with <see cref="Online"/> false it is also the cloud's last will.</summary>
internal sealed record CloudStatus(bool Online, string Version);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CloudStatus))]
internal sealed partial class CloudMqttJsonContext : JsonSerializerContext;
