using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParkingLot.Cloud;

internal static class ApiDefaults
{
    /// <summary>What every endpoint shares: RFC 7807 problems, JSON with camelCase enum names, the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.Services.AddOpenApi();
        return builder;
    }
}
