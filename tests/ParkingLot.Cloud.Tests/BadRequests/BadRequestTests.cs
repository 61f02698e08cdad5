using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.BadRequests;

/// <summary>
/// I9 over HTTP: each bad request gets a 4xx RFC 7807 problem (never a 500) and changes nothing: the
/// counts of bookings, users, roles, vehicles, refresh tokens, idempotency keys, lots and spots, and the
/// lot's availability, are the same before and after.
/// </summary>
[Collection(BookingCloudCollection.Name)]
public sealed class BadRequestTests(BookingCloud cloud)
{
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static (BookingCloud Cloud, Setup Setup)? _setup;

    /// <summary>Name, method, path, body, caller, expected status, content type, Idempotency-Key.</summary>
    public static TheoryData<string, string, string, string?, string, int, string, string?> Rows { get; } = new()
    {
        // accounts
        { "register: email missing", "POST", "/api/v1/auth/register", """{"password":"Long-enough-1","name":"A"}""", "anonymous", 400, Json, null },
        { "register: email a number", "POST", "/api/v1/auth/register", """{"email":42,"password":"Long-enough-1","name":"A"}""", "anonymous", 400, Json, null },
        { "register: extra field roles", "POST", "/api/v1/auth/register", """{"email":"x@example.test","password":"Long-enough-1","name":"A","roles":["admin"]}""", "anonymous", 400, Json, null },
        { "register: malformed JSON", "POST", "/api/v1/auth/register", """{"email":""", "anonymous", 400, Json, null },
        { "register: empty body", "POST", "/api/v1/auth/register", "", "anonymous", 400, Json, null },
        { "register: text/plain", "POST", "/api/v1/auth/register", """{"email":"x@example.test"}""", "anonymous", 415, "text/plain", null },
        { "register: weak password", "POST", "/api/v1/auth/register", """{"email":"y@example.test","password":"short","name":"A"}""", "anonymous", 400, Json, null },
        { "register: e-mail taken", "POST", "/api/v1/auth/register", """{"email":"{driverEmail}","password":"Long-enough-1","name":"A"}""", "anonymous", 409, Json, null },
        { "token: password missing", "POST", "/api/v1/auth/token", """{"email":"{driverEmail}"}""", "anonymous", 400, Json, null },
        { "token: wrong password", "POST", "/api/v1/auth/token", """{"email":"{driverEmail}","password":"Wrong-password-1"}""", "anonymous", 401, Json, null },
        { "refresh: garbage token", "POST", "/api/v1/auth/refresh", """{"refreshToken":"not-a-token"}""", "anonymous", 401, Json, null },
        { "vehicle: unknown vehicle type", "POST", "/api/v1/me/vehicles", """{"plate":"AB 1","vehicleType":"spaceship"}""", "driver", 400, Json, null },
        { "vehicle: plate too long", "POST", "/api/v1/me/vehicles", """{"plate":"ABCDEFGHIJKLMNOPQRST","vehicleType":"car"}""", "driver", 400, Json, null },
        { "vehicle: without token", "POST", "/api/v1/me/vehicles", """{"plate":"AB 1","vehicleType":"car"}""", "anonymous", 401, Json, null },
        { "vehicle: another driver's", "DELETE", "/api/v1/me/vehicles/{otherVehicle}", null, "driver", 404, Json, null },
        { "admin roles: as a driver", "PUT", "/api/v1/admin/users/{driverId}/roles", """{"roles":["admin"]}""", "driver", 403, Json, null },
        { "admin roles: unknown role", "PUT", "/api/v1/admin/users/{driverId}/roles", """{"roles":["emperor"]}""", "admin", 400, Json, null },
        { "admin lots: operator, foreign lot", "PUT", "/api/v1/admin/lots/{lot}/capacity", """{"reservable":{"car":1}}""", "operator", 404, Json, null },

        // bookings
        { "booking: lotId missing", "POST", "/api/v1/bookings", """{"vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "driver", 400, Json, null },
        { "booking: vehicleType a boolean", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":true,"startTime":"{start}","endTime":"{end}"}""", "driver", 400, Json, null },
        { "booking: startTime not a time", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"tomorrow","endTime":"{end}"}""", "driver", 400, Json, null },
        { "booking: end before start", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{end}","endTime":"{start}"}""", "driver", 400, Json, null },
        { "booking: window in the past", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{pastStart}","endTime":"{pastEnd}"}""", "driver", 422, Json, null },
        { "booking: window years away", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{farStart}","endTime":"{farEnd}"}""", "driver", 422, Json, null },
        { "booking: unknown lot", "POST", "/api/v1/bookings", """{"lotId":"no-such-lot","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "driver", 404, Json, null },
        { "booking: unknown spot", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","spotId":"Z99","startTime":"{start}","endTime":"{end}"}""", "driver", 404, Json, null },
        { "booking: unknown vehicle type", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"hovercraft","startTime":"{start}","endTime":"{end}"}""", "driver", 400, Json, null },
        { "booking: body over 1 MiB", "POST", "/api/v1/bookings", "{huge}", "driver", 413, Json, null },
        { "booking: text/plain", "POST", "/api/v1/bookings", """{"lotId":"{lot}"}""", "driver", 415, "text/plain", null },
        { "booking: without token", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "anonymous", 401, Json, null },
        { "booking: garbage JWT", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "garbage", 401, Json, null },
        { "booking: expired JWT", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "expired", 401, Json, null },
        { "booking: JWT signed with another key", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "forged", 401, Json, null },
        { "booking: Idempotency-Key reused, other body", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "driver", 422, Json, "{usedKey}" },
        { "booking: malformed Idempotency-Key", "POST", "/api/v1/bookings", """{"lotId":"{lot}","vehicleType":"car","startTime":"{start}","endTime":"{end}"}""", "driver", 400, Json, "has space" },
        { "booking: another driver's, get", "GET", "/api/v1/bookings/{otherBooking}", null, "driver", 404, Json, null },
        { "booking: another driver's, cancel", "POST", "/api/v1/bookings/{otherBooking}/cancel", null, "driver", 404, Json, null },
        { "booking: another driver's, pass", "GET", "/api/v1/bookings/{otherBooking}/pass", null, "driver", 404, Json, null },
        { "booking: pass in an unknown format", "GET", "/api/v1/bookings/{otherBooking}/pass?format=gif", null, "other", 400, Json, null },

        // search, quotes, lots
        { "search: latitude 91", "POST", "/api/v1/parking/search", """{"lat":91,"lng":13.4,"radiusMeters":1000}""", "anonymous", 400, Json, null },
        { "search: longitude -181", "POST", "/api/v1/parking/search", """{"lat":52.5,"lng":-181,"radiusMeters":1000}""", "anonymous", 400, Json, null },
        { "search: negative radius", "POST", "/api/v1/parking/search", """{"lat":52.5,"lng":13.4,"radiusMeters":-5}""", "anonymous", 400, Json, null },
        { "search: latitude missing", "POST", "/api/v1/parking/search", """{"lng":13.4,"radiusMeters":1000}""", "anonymous", 400, Json, null },
        { "search: latitude a string", "POST", "/api/v1/parking/search", """{"lat":"north","lng":13.4,"radiusMeters":1000}""", "anonymous", 400, Json, null },
        { "quote: end before start", "POST", "/api/v1/quotes", """{"lotId":"{lot}","vehicleType":"car","startTime":"{end}","endTime":"{start}"}""", "anonymous", 400, Json, null },
        { "availability: malformed lot id", "GET", "/api/v1/lots/b%24d!/availability", null, "anonymous", 400, Json, null },
        { "availability: unknown lot", "GET", "/api/v1/lots/no-such-lot/availability", null, "anonymous", 404, Json, null },
    };

    private const string Json = "application/json";

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Send_BadRequest_Returns4xxProblemAndChangesNothing(
        string name, string method, string path, string? body, string caller, int status, string contentType, string? idempotencyKey)
    {
        var setup = await SetupAsync();
        using var client = cloud.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), setup.Fill(path));
        if (body is not null)
        {
            request.Content = new StringContent(setup.Fill(body), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        if (setup.TokenFor(caller) is { } token)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyFilter.HeaderName, setup.Fill(idempotencyKey));
        }

        var before = await SnapshotAsync(setup);
        var response = await client.SendAsync(request, TestContext.Token);
        var after = await SnapshotAsync(setup);

        Assert.True(status == (int)response.StatusCode, $"{name}: expected {status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Token)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Token));
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()), name);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Rows_CoverAtLeastThirtyBadRequests()
    {
        Assert.True(Rows.Count >= 30);
        Assert.Equal(Rows.Count, Rows.Select(r => (string)r[0]).Distinct().Count());
    }

    /// <summary>Row counts of every table a request could touch, and the lot's availability without its timestamp.</summary>
    private async Task<string> SnapshotAsync(Setup setup)
    {
        var sb = new StringBuilder();
        await using (var connection = await cloud.Services.GetRequiredService<SqliteDatabase>().OpenAsync(TestContext.Token))
        {
            foreach (var table in new[] { "bookings", "users", "user_roles", "vehicles", "refresh_tokens", "idempotency_keys", "operator_lots", "lots", "spots" })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT count(*) FROM {table}";
                sb.Append(CultureInfo.InvariantCulture, $"{table}={await command.ExecuteScalarAsync(TestContext.Token)} ");
            }
        }

        using var client = cloud.CreateClient();
        var availability = JsonNode.Parse(await client.GetStringAsync($"/api/v1/lots/{setup.LotId}/availability", TestContext.Token))!.AsObject();
        availability.Remove("asOf");
        return sb.Append(availability.ToJsonString()).ToString();
    }

    private async Task<Setup> SetupAsync()
    {
        await SetupLock.WaitAsync(TestContext.Token);
        try
        {
            if (_setup is { } existing && ReferenceEquals(existing.Cloud, cloud))
            {
                return existing.Setup;
            }

            var setup = await Setup.CreateAsync(cloud);
            _setup = (cloud, setup);
            return setup;
        }
        finally
        {
            SetupLock.Release();
        }
    }

    /// <summary>What the rows refer to: a bookable lot, users of each role, another driver's booking and vehicle, a used key.</summary>
    private sealed class Setup
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

        public string LotId => _values["lot"];

        public static async Task<Setup> CreateAsync(BookingCloud cloud)
        {
            var setup = new Setup();
            var lot = await cloud.CreateLotAsync();
            var now = cloud.Clock.GetUtcNow();
            var (driver, other, admin, @operator) = (await TestTokens.DriverAsync(cloud), await TestTokens.DriverAsync(cloud),
                await TestTokens.AdminAsync(cloud), await TestTokens.OperatorAsync(cloud));

            using var otherClient = cloud.CreateClient(other);
            var booking = await otherClient.PostAsJsonAsync(
                "/api/v1/bookings", new { lotId = lot.LotId, vehicleType = "car", startTime = now.AddHours(30), endTime = now.AddHours(31) }, TestContext.Token);
            booking.EnsureSuccessStatusCode();
            var vehicle = await otherClient.PostAsJsonAsync("/api/v1/me/vehicles", new { plate = "OTHER 1", vehicleType = "car" }, TestContext.Token);
            vehicle.EnsureSuccessStatusCode();

            using var driverClient = cloud.CreateClient(driver);
            var usedKey = Guid.NewGuid().ToString();
            using (var keyed = new HttpRequestMessage(HttpMethod.Post, "/api/v1/bookings"))
            {
                keyed.Content = JsonContent.Create(new { lotId = lot.LotId, vehicleType = "car", startTime = now.AddHours(40), endTime = now.AddHours(41) });
                keyed.Headers.Add(IdempotencyFilter.HeaderName, usedKey);
                (await driverClient.SendAsync(keyed, TestContext.Token)).EnsureSuccessStatusCode();
            }

            string Time(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);
            setup._values["lot"] = lot.LotId;
            setup._values["start"] = Time(now.AddHours(2));
            setup._values["end"] = Time(now.AddHours(4));
            setup._values["pastStart"] = Time(now.AddDays(-2));
            setup._values["pastEnd"] = Time(now.AddDays(-2).AddHours(2));
            setup._values["farStart"] = Time(now.AddYears(5));
            setup._values["farEnd"] = Time(now.AddYears(5).AddHours(2));
            setup._values["driverEmail"] = driver.Email;
            setup._values["driverId"] = driver.Id.ToString("D");
            setup._values["otherBooking"] = (await booking.Content.ReadFromJsonAsync<JsonElement>(TestContext.Token)).GetProperty("id").GetString()!;
            setup._values["otherVehicle"] = (await vehicle.Content.ReadFromJsonAsync<JsonElement>(TestContext.Token)).GetProperty("id").GetString()!;
            setup._values["usedKey"] = usedKey;
            setup._values["huge"] = $$"""{"lotId":"{{new string('x', 1_100_000)}}"}""";

            setup._tokens["driver"] = driver.AccessToken;
            setup._tokens["other"] = other.AccessToken;
            setup._tokens["admin"] = admin.AccessToken;
            setup._tokens["operator"] = @operator.AccessToken;
            setup._tokens["garbage"] = "not.a.jwt";
            setup._tokens["expired"] = TestTokens.ForUser(cloud, driver.Id, [Roles.Driver], now.AddHours(-2));
            setup._tokens["forged"] = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "parkinglot",
                Audience = "parkinglot",
                Claims = new Dictionary<string, object> { ["sub"] = driver.Id.ToString("D"), ["role"] = new[] { "admin" } },
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[64]), SecurityAlgorithms.HmacSha256),
            });
            return setup;
        }

        public string Fill(string text)
        {
            foreach (var (name, value) in _values)
            {
                text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
            }

            return text;
        }

        public string? TokenFor(string caller) => _tokens.GetValueOrDefault(caller);
    }
}
