using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud;

/// <summary>
/// Turns a request that did not bind (<see cref="BadHttpRequestException"/>: unreadable JSON, an unknown
/// member, a wrong type, a missing body, a wrong content type, a body over the cap) into its 4xx
/// problem, with a detail that names the member and says what to send. Everything else falls through
/// to the generic 500 handler.
/// </summary>
internal sealed partial class BadBodyHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var (title, detail, member) = Describe(bad);
        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = bad.StatusCode, Title = title, Detail = detail };
        if (member is not null)
        {
            problem.Extensions["member"] = member;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The title, detail and (when known) the JSON path of the member at fault.</summary>
    internal static (string Title, string Detail, string? Member) Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is not JsonException json)
        {
            return (bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                _ => "Invalid request",
            }, bad.Message, null);
        }

        if (UnmappedMember().Match(json.Message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups["name"].Value;
            var path = json.Path is null or "$" ? $"$.{name}" : json.Path;
            return ("Unknown member", $"The body has a member '{name}' ({path}) that this request does not take; check its spelling against the API document.", path);
        }

        var at = json.Path ?? "$";
        if (ConversionFailure().Match(json.Message) is { Success: true } conversion)
        {
            return ("Invalid request", $"The value at {at} is not {Expected(conversion.Groups["type"].Value, at)}.", at);
        }

        // The framework's syntax errors end in " Path: … | LineNumber: …"; a converter's own message
        // (a time without an offset) says what to send and has no such tail.
        var message = json.Message.Split(" Path: ", 2)[0];
        return json.Message.Contains("LineNumber", StringComparison.Ordinal)
            ? ("Invalid request", $"The body is not valid JSON at {at}: {message}", at)
            : ("Invalid request", $"The value at {at} is refused: {message}", at);
    }

    /// <summary>What a member of this .NET type takes, in the API's words (an enum lists its names).</summary>
    private static string Expected(string typeName, string path)
    {
        // The message names the member's type ("System.Nullable`1[…VehicleType]") or, for a record
        // bound through its constructor, the record: then the member is the last segment of the path.
        var type = TypeName().Matches(typeName).Select(m => m.Value).Where(n => !n.StartsWith("System.Nullable", StringComparison.Ordinal))
            .Select(n => Type.GetType(n) ?? typeof(Shared.Contracts.VehicleType).Assembly.GetType(n) ?? typeof(BadBodyHandler).Assembly.GetType(n))
            .FirstOrDefault(t => t is not null);
        var member = path.Split('.')[^1].Split('[')[0];
        if (type is { IsClass: true } && type != typeof(string)
            && type.GetProperty(member, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property)
        {
            type = property.PropertyType;
        }

        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type is { IsEnum: true })
        {
            return "one of " + string.Join(", ", WireNames.All(type)) + " (names, not numbers)";
        }

        return type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTimeOffset) => "an ISO 8601 time with an offset",
            _ when type == typeof(Guid) => "a UUID",
            _ when type is not null && (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal)) => "a number",
            _ => "the shape the API document gives for it",
        };
    }

    [GeneratedRegex("property '(?<name>[^']*)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"could not be converted to (?<type>.+?)\.? Path:", RegexOptions.CultureInvariant)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"[A-Za-z_][\w`]*(\.[A-Za-z_][\w`]*)+", RegexOptions.CultureInvariant)]
    private static partial Regex TypeName();
}
