using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.BadRequests;

/// <summary>
/// Request bodies say exactly what they mean or are refused with a problem naming the member: unknown
/// members, times without an offset, enum numbers; and every limit a request record declares
/// (StringLength, MaxLength, MinLength, Range) is enforced, found by walking the records the
/// endpoints take.
/// </summary>
[Collection(BookingCloudCollection.Name)]
public sealed partial class StrictInputTests(BookingCloud cloud)
{
    [Theory]
    [InlineData("""{"lotId":"{lot}","vehicleType":"car","start":"{t1}","startTime":"{t1}","endTime":"{t2}"}""", "$.start", "member 'start' ($.start) that this request does not take")]
    [InlineData("""{"lotId":"{lot}","vehicleType":"car","startTime":"{t1}","endTime":"{t2}","notes":"x"}""", "$.notes", "member 'notes' ($.notes) that this request does not take")]
    [InlineData("""{"lotId":"{lot}","vehicleType":"car","startTime":"{t1local}","endTime":"{t2}"}""", "$.startTime", "with an offset")]
    [InlineData("""{"lotId":"{lot}","vehicleType":"car","startTime":"{t1}","endTime":"{t2date}"}""", "$.endTime", "with an offset")]
    [InlineData("""{"lotId":"{lot}","vehicleType":0,"startTime":"{t1}","endTime":"{t2}"}""", "$.vehicleType", "one of car, ")]
    [InlineData("""{"lotId":"{lot}","vehicleType":"Car ","startTime":"{t1}","endTime":"{t2}"}""", "$.vehicleType", "one of car, ")]
    public async Task CreateBooking_NotExactlyTheContract_400NamingTheMemberAndNothingBooked(string template, string member, string says)
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var t1 = cloud.Clock.GetUtcNow().AddHours(1);
        var t2 = t1.AddHours(1);
        var body = template.Replace("{lot}", lot.LotId, StringComparison.Ordinal)
            .Replace("{t1local}", t1.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{t2date}", t2.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{t1}", t1.ToString("O"), StringComparison.Ordinal)
            .Replace("{t2}", t2.ToString("O"), StringComparison.Ordinal);

        var response = await client.PostAsync("/api/v1/bookings", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Token);

        var problem = await ProblemAsync(response);
        Assert.Equal(member, problem["member"]?.GetValue<string>());
        Assert.True(problem["detail"]!.GetValue<string>().Contains(says, StringComparison.Ordinal), problem["detail"]!.GetValue<string>());
        Assert.Empty((await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!);
    }

    [Fact]
    public async Task CreateBooking_ExactContractWithOffsets_201()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var t1 = cloud.Clock.GetUtcNow().AddHours(1).ToOffset(TimeSpan.FromHours(-5));
        var body = $$"""{"lotId":"{{lot.LotId}}","vehicleType":"car","startTime":"{{t1:O}}","endTime":"{{t1.AddHours(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""";

        var response = await client.PostAsync("/api/v1/bookings", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Token);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Token));
        var booking = (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
        Assert.Equal(BookingWindow.Truncate(t1), booking.StartTime);
    }

    [Fact]
    public async Task CreateLot_UnknownMemberInANestedObject_400NamingIt()
    {
        using var client = cloud.CreateClient(await TestTokens.AdminAsync(cloud));
        var id = $"s-{Guid.NewGuid():N}"[..18];
        var body = $$"""{"id":"{{id}}","name":"N","location":{"lat":52.5,"lng":13.4,"altitude":30},"timeZone":"Europe/Berlin","vehicleTypes":["car"]}""";

        var response = await client.PostAsync("/api/v1/admin/lots", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Token);

        var problem = await ProblemAsync(response);
        Assert.Contains("'altitude'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/lots/{id}", TestContext.Token)).StatusCode);
    }

    /// <summary>Every (request record, member, limit) that a record the endpoints take declares, nested records included.</summary>
    public static TheoryData<string, string> DeclaredLimits()
    {
        var rows = new TheoryData<string, string>();
        foreach (var (record, parameter, _) in LimitedMembers())
        {
            rows.Add(record.Name, parameter.Name!);
        }

        return rows;
    }

    [Fact]
    public void DeclaredLimits_CoverTheRecordsTheEndpointsTake()
    {
        // A guard for the walk itself: if it found nothing (or lost the booking record), the theory below would pass vacuously.
        var records = LimitedMembers().Select(m => m.Record.Name).Distinct().ToList();

        Assert.Superset(new HashSet<string> { "BookingRequest", "QuoteRequest", "SearchRequest", "LotRequest", "SpotsRequest", "SpotRequest" }, records.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(DeclaredLimits))]
    public async Task Send_MemberPastItsDeclaredLimit_400NamingTheMember(string recordName, string memberName)
    {
        var (record, parameter, limit) = LimitedMembers().Single(m => m.Record.Name == recordName && m.Parameter.Name == memberName);
        var lot = await cloud.CreateLotAsync();
        var caller = await TestTokens.CreateUserAsync(cloud, Roles.Driver, Roles.Operator, Roles.Admin);
        using var client = cloud.CreateClient(caller);
        var (method, route, path) = EndpointTaking(record, lot.LotId);
        var body = new JsonObject { [JsonName(parameter.Name!)] = PastLimit(parameter, limit) };
        var json = path.Aggregate((JsonNode)body, (inner, outer) => new JsonObject { [JsonName(outer)] = new JsonArray(inner) });

        using var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await client.SendAsync(request, TestContext.Token);

        var problem = await ProblemAsync(response);
        var errors = problem["errors"]?.AsObject().Select(e => e.Key).ToList() ?? [];
        Assert.True(
            errors.Any(key => LastSegment(key).Equals(parameter.Name, StringComparison.OrdinalIgnoreCase)),
            $"{record.Name}.{parameter.Name} past its {limit.GetType().Name}: {problem.ToJsonString()}");
    }

    /// <summary>The records that endpoint handlers take as a parameter, and the records nested in them, with their limited members.</summary>
    private static IEnumerable<(Type Record, ParameterInfo Parameter, ValidationAttribute Limit)> LimitedMembers()
    {
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(BodyRecords().Select(b => b.Record));
        while (queue.TryDequeue(out var record))
        {
            if (!seen.Add(record))
            {
                continue;
            }

            foreach (var parameter in record.GetConstructors().Single().GetParameters())
            {
                if (ElementRecord(parameter.ParameterType) is { } nested)
                {
                    queue.Enqueue(nested);
                }

                var limit = parameter.GetCustomAttributes<ValidationAttribute>()
                    .FirstOrDefault(a => a is StringLengthAttribute or MaxLengthAttribute or MinLengthAttribute or RangeAttribute);
                if (limit is not null)
                {
                    yield return (record, parameter, limit);
                }
            }
        }
    }

    /// <summary>Each endpoint's body record with the endpoint's method and route pattern.</summary>
    private static IEnumerable<(Type Record, string Method, string Pattern)> BodyRecords() => Endpoints.Value;

    // Read once from a host of its own: the theory's rows are needed before any fixture exists.
    private static readonly Lazy<List<(Type Record, string Method, string Pattern)>> Endpoints = new(() =>
    {
        var host = new BookingCloud();
        try
        {
            var found = new List<(Type, string, string)>();
            foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
            {
                var handler = endpoint.Metadata.GetMetadata<MethodInfo>();
                var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
                foreach (var parameter in handler?.GetParameters() ?? [])
                {
                    if (IsCloudRecord(parameter.ParameterType) && methods is [var method, ..])
                    {
                        found.Add((parameter.ParameterType, method, endpoint.RoutePattern.RawText!));
                    }
                }
            }

            return found;
        }
        finally
        {
            ((IAsyncLifetime)host).DisposeAsync().GetAwaiter().GetResult();
        }
    });

    /// <summary>Method, route (route values filled) and the list members leading from the body record to <paramref name="record"/>.</summary>
    private static (string Method, string Route, IReadOnlyList<string> Path) EndpointTaking(Type record, string lotId)
    {
        foreach (var (body, method, pattern) in BodyRecords())
        {
            var path = PathTo(body, record);
            if (path is not null)
            {
                var route = RouteValue().Replace(pattern, m => m.Groups["name"].Value switch
                {
                    "lotId" => lotId,
                    _ => Guid.NewGuid().ToString("D"),
                });
                return (method, route, path);
            }
        }

        throw new InvalidOperationException($"No endpoint takes {record.Name}.");
    }

    /// <summary>The list members from <paramref name="from"/> down to <paramref name="to"/>, innermost first; null when not reachable.</summary>
    private static List<string>? PathTo(Type from, Type to)
    {
        if (from == to)
        {
            return [];
        }

        foreach (var parameter in from.GetConstructors().Single().GetParameters())
        {
            if (ElementRecord(parameter.ParameterType) is { } nested && nested != from && PathTo(nested, to) is { } rest)
            {
                return [.. rest, parameter.Name!];
            }
        }

        return null;
    }

    private static JsonNode PastLimit(ParameterInfo parameter, ValidationAttribute limit) => limit switch
    {
        StringLengthAttribute s when s.MinimumLength > 0 => JsonValue.Create(""),
        StringLengthAttribute s => JsonValue.Create(new string('x', s.MaximumLength + 1)),
        MaxLengthAttribute m => new JsonArray([.. Enumerable.Range(0, m.Length + 1).Select(_ => (JsonNode)new JsonObject())]),
        MinLengthAttribute => new JsonArray(),
        RangeAttribute r => JsonValue.Create(Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture) + 1),
        _ => throw new InvalidOperationException($"No over-limit value for {parameter.Name}."),
    };

    private static Type? ElementRecord(Type type)
    {
        var element = type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[^1] : type;
        return IsCloudRecord(element) ? element : null;
    }

    private static bool IsCloudRecord(Type type) =>
        type.Assembly == typeof(BookingRequest).Assembly && type.GetMethod("<Clone>$") is not null;

    private static string JsonName(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    private static string LastSegment(string key) => key.Split('.', '[')[^1].TrimEnd(']');

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Token);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    [GeneratedRegex(@"\{(?<name>[^}:]+)(:[^}]*)?\}")]
    private static partial Regex RouteValue();
}
