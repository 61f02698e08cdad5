using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;

namespace ParkingLot.Cloud;

internal static class ApiDefaults
{
    /// <summary>
    /// What every endpoint shares: RFC 7807 problems, the OpenAPI document, and strict JSON request
    /// bodies (<see cref="ConfigureStrictJson"/>) whose refusals name what was wrong (<see cref="BadBodyHandler"/>).
    /// </summary>
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(ConfigureStrictJson);
        // A body that does not bind throws (in every environment, not only Development), so the
        // handler can say which member was wrong instead of a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadBodyHandler>();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>
    /// Request bodies say exactly what they mean or are refused: an unknown member (a misspelt
    /// <c>start</c> for <c>startTime</c> would otherwise silently book a default window), an enum as
    /// a number (only the camelCase names are the contract) and a time without an offset (whose
    /// meaning would depend on the server's zone) are 400 problems. Responses are unaffected.
    /// </summary>
    public static void ConfigureStrictJson(JsonOptions options)
    {
        options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.SerializerOptions.Converters.Add(new OffsetRequiredConverter());
    }
}
