using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Lots;

[Collection(BookingCloudCollection.Name)]
public sealed class LotAdminApiTests(BookingCloud cloud)
{
    [Fact]
    public async Task AdminFlow_CreateAddSpotsSplitTariff_LotBookableAndListed()
    {
        using var admin = cloud.CreateClient(await TestTokens.AdminAsync(cloud));
        var id = NewLotId();

        var created = await admin.PostAsJsonAsync("/api/v1/admin/lots", LotBody(id), CloudApplication.Json, TestContext.Token);
        var spots = await admin.PostAsJsonAsync($"/api/v1/admin/lots/{id}/spots", new { spots = new[] { Spot("A1", "car"), Spot("A2", "car"), Spot("E1", "ev") } }, TestContext.Token);
        var split = await admin.PutAsJsonAsync($"/api/v1/admin/lots/{id}/capacity", new { reservable = new { car = 2, ev = 1 } }, TestContext.Token);
        var tariff = await admin.PutAsJsonAsync($"/api/v1/admin/lots/{id}/tariff", TestTariffs.Simple("admin-1", rate: 150), CloudApplication.Json, TestContext.Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { spots.StatusCode, split.StatusCode, tariff.StatusCode });
        var capacity = (await split.Content.ReadFromJsonAsync<CapacitySplit>(CloudApplication.Json, TestContext.Token))!;
        Assert.Equal((1, 2, 2), (capacity.Version, capacity.ReservableOf(VehicleType.Car), capacity.Shares.Single(s => s.VehicleType == VehicleType.Car).Spots));
        var details = await admin.GetFromJsonAsync<LotDetails>($"/api/v1/lots/{id}", CloudApplication.Json, TestContext.Token);
        Assert.Equal(("Harbour Garage", 3, "admin-1"), (details!.Name, details.SpotCount, details.TariffVersion));
        var cars = await admin.GetFromJsonAsync<SpotInfo[]>($"/api/v1/lots/{id}/spots?vehicleType=car", CloudApplication.Json, TestContext.Token);
        Assert.Equal(["A1", "A2"], cars!.Select(s => s.Id));
        // The lot opens Mondays and Fridays 07:00–22:00 (Berlin): quote an hour on a Monday morning.
        var monday = BookingsApiTests.NextBerlinMidnight(cloud.Clock.GetUtcNow(), DayOfWeek.Monday);
        var quote = await admin.PostAsJsonAsync("/api/v1/quotes", new { lotId = id, vehicleType = "car", startTime = monday.AddHours(9), endTime = monday.AddHours(10) }, TestContext.Token);
        Assert.Equal(600, (await quote.Content.ReadFromJsonAsync<FeeQuote>(CloudApplication.Json, TestContext.Token))!.Total.Minor);
    }

    [Fact]
    public async Task Operator_OwnLotAllowedOtherLotsAnswer404()
    {
        var lot = await cloud.CreateLotAsync();
        var other = await cloud.CreateLotAsync();
        var user = await TestTokens.OperatorAsync(cloud);
        await cloud.Services.GetRequiredService<IAccountStore>().SetOperatorLotsAsync(user.Id, [lot.LotId], TestContext.Token);
        using var client = cloud.CreateClient(user);

        var own = await client.PutAsJsonAsync($"/api/v1/admin/lots/{lot.LotId}/capacity", new { reservable = new { car = 1 } }, TestContext.Token);
        var foreign = await client.PutAsJsonAsync($"/api/v1/admin/lots/{other.LotId}/capacity", new { reservable = new { car = 1 } }, TestContext.Token);
        var create = await client.PostAsJsonAsync("/api/v1/admin/lots", LotBody(NewLotId()), CloudApplication.Json, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await BookingsApiTests.AssertProblemAsync(foreign, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(3, (await cloud.Services.GetRequiredService<ILotStore>().GetCapacityAsync(other.LotId, TestContext.Token))!.ReservableOf(VehicleType.Car));
    }

    [Fact]
    public async Task Driver_AdminEndpoints_403()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));

        var response = await client.PutAsJsonAsync($"/api/v1/admin/lots/{lot.LotId}/capacity", new { reservable = new { car = 1 } }, TestContext.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public static TheoryData<string, string, object, HttpStatusCode> BadChanges() => new()
    {
        { "share above spots", "PUT capacity", new { reservable = new { car = 4 } }, HttpStatusCode.UnprocessableEntity },
        { "negative share", "PUT capacity", new { reservable = new { car = -1 } }, HttpStatusCode.BadRequest },
        { "unknown vehicle type", "PUT capacity", new { reservable = new { spaceship = 1 } }, HttpStatusCode.BadRequest },
        { "duplicate spot", "POST spots", new { spots = new[] { Spot("C1", "car") } }, HttpStatusCode.Conflict },
        { "spot twice in request", "POST spots", new { spots = new[] { Spot("C8", "car"), Spot("C8", "car") } }, HttpStatusCode.BadRequest },
        { "spot of a type the lot lacks", "POST spots", new { spots = new[] { Spot("T1", "truck") } }, HttpStatusCode.UnprocessableEntity },
        { "no spots", "POST spots", new { spots = Array.Empty<object>() }, HttpStatusCode.BadRequest },
        { "invalid tariff", "PUT tariff", TestTariffs.Simple() with { Currency = "euro" }, HttpStatusCode.UnprocessableEntity },
        { "same tariff version, other prices", "PUT tariff", TestTariffs.Simple(rate: 1), HttpStatusCode.Conflict },
        { "latitude out of range", "PUT lot", new { name = "X", location = new { lat = 91, lng = 0 }, timeZone = "UTC", vehicleTypes = new[] { "car", "ev" } }, HttpStatusCode.BadRequest },
        { "unknown time zone", "PUT lot", new { name = "X", location = new { lat = 1, lng = 0 }, timeZone = "Mars/Olympus", vehicleTypes = new[] { "car", "ev" } }, HttpStatusCode.BadRequest },
        { "dropping a type with spots", "PUT lot", new { name = "X", location = new { lat = 1, lng = 0 }, timeZone = "UTC", vehicleTypes = new[] { "car" } }, HttpStatusCode.UnprocessableEntity },
    };

    [Theory]
    [MemberData(nameof(BadChanges))]
    public async Task Change_Refused_ProblemAndLotUnchanged(string scenario, string change, object body, HttpStatusCode expected)
    {
        var lot = await cloud.CreateLotAsync();
        using var admin = cloud.CreateClient(await TestTokens.AdminAsync(cloud));
        var store = cloud.Services.GetRequiredService<ILotStore>();
        var before = (await store.GetAsync(lot.LotId, TestContext.Token), (await store.GetCapacityAsync(lot.LotId, TestContext.Token))!.Version, (await store.ListSpotsAsync(lot.LotId, null, TestContext.Token))!.Count);

        var response = change switch
        {
            "PUT capacity" => await admin.PutAsJsonAsync($"/api/v1/admin/lots/{lot.LotId}/capacity", body, TestContext.Token),
            "POST spots" => await admin.PostAsJsonAsync($"/api/v1/admin/lots/{lot.LotId}/spots", body, TestContext.Token),
            "PUT tariff" => await admin.PutAsJsonAsync($"/api/v1/admin/lots/{lot.LotId}/tariff", body, CloudApplication.Json, TestContext.Token),
            _ => await admin.PutAsJsonAsync($"/api/v1/admin/lots/{lot.LotId}", body, TestContext.Token),
        };

        Assert.True(response.StatusCode == expected, $"{scenario}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Token)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = (await store.GetAsync(lot.LotId, TestContext.Token), (await store.GetCapacityAsync(lot.LotId, TestContext.Token))!.Version, (await store.ListSpotsAsync(lot.LotId, null, TestContext.Token))!.Count);
        Assert.Equal(Describe(before.Item1!), Describe(after.Item1!));
        Assert.Equal((before.Item2, before.Item3), (after.Item2, after.Item3));
        Assert.Equal(100, (await store.GetTariffAsync(lot.LotId, null, TestContext.Token))!.VehicleTypes[VehicleType.Car].RatePerIncrement);
    }

    [Fact]
    public async Task ListSpots_UnknownLotOrType_404Or400()
    {
        using var client = cloud.CreateClient();
        var lot = await cloud.CreateLotAsync();

        await BookingsApiTests.AssertProblemAsync(await client.GetAsync("/api/v1/lots/no-such-lot/spots", TestContext.Token), HttpStatusCode.NotFound);
        await BookingsApiTests.AssertProblemAsync(await client.GetAsync($"/api/v1/lots/{lot.LotId}/spots?vehicleType=7", TestContext.Token), HttpStatusCode.BadRequest);
    }

    private static string Describe(LotDetails lot) =>
        $"{lot.Name}|{lot.TimeZone}|{lot.Location}|{lot.SpotCount}|{string.Join(',', lot.Zones)}|{string.Join(',', lot.VehicleTypes)}|{lot.OpeningHours.Count}|{lot.TariffVersion}";

    private static object LotBody(string id) => new
    {
        id,
        name = "Harbour Garage",
        location = new { lat = 53.54, lng = 9.99 },
        timeZone = "Europe/Berlin",
        openingHours = new[] { new { days = new[] { "monday", "friday" }, open = "07:00:00", close = "22:00:00" } },
        vehicleTypes = new[] { "car", "ev" },
    };

    private static object Spot(string id, string type) => new { id, vehicleType = type, zone = id[..1] };

    private static string NewLotId() => $"a-{Guid.NewGuid():N}"[..18];
}
