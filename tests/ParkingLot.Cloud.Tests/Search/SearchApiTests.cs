using ParkingLot.Cloud.Lots;
using System.Net;
using System.Net.Http.Json;
using ParkingLot.Cloud.Search;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Search;

[Collection(BookingCloudCollection.Name)]
public sealed class SearchApiTests(BookingCloud cloud)
{
    [Fact]
    public async Task Search_LotsAround_NearestFirstWithinRadiusWithQuote()
    {
        // A spot in the Atlantic, so only this test's lots are near it; 0.01° of latitude ≈ 1.1 km.
        var (lat, lng) = (10 + Random.Shared.NextDouble(), -30 - Random.Shared.NextDouble());
        var far = await cloud.CreateLotAsync(lat: lat + 0.03, lng: lng);
        var near = await cloud.CreateLotAsync(lat: lat + 0.01, lng: lng);
        var middle = await cloud.CreateLotAsync(lat: lat, lng: lng - 0.02);
        var outside = await cloud.CreateLotAsync(lat: lat + 0.2, lng: lng);
        using var client = cloud.CreateClient();
        var from = cloud.Clock.GetUtcNow().AddHours(1);
        var to = from.AddHours(2);

        var response = await client.PostAsJsonAsync("/api/v1/parking/search", new { lat, lng, radiusMeters = 5000, vehicleType = "car", from, to }, TestContext.Token);

        var results = (await response.Content.ReadFromJsonAsync<SearchResult[]>(CloudApplication.Json, TestContext.Token))!;
        Assert.Equal([near.LotId, middle.LotId, far.LotId], results.Select(r => r.LotId));
        Assert.DoesNotContain(results, r => r.LotId == outside.LotId);
        Assert.InRange(results[0].DistanceMeters, 1100, 1125);
        Assert.Equal(TariffEngine.Quote(TestTariffs.Simple(), VehicleType.Car, from, to).Total, results[0].Quote!.Total);
        Assert.Equal((3, 3), (results[0].Availability.Single().Free, results[0].Availability.Single().Reservable));
    }

    [Fact]
    public async Task Search_LotClosedDuringTheWindow_LeftOut()
    {
        var (lat, lng) = (12 + Random.Shared.NextDouble(), -35 - Random.Shared.NextDouble());
        OpeningHours weekdays = new([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], new TimeOnly(7, 0), new TimeOnly(19, 0));
        var weekdaysOnly = await cloud.CreateLotAsync(lat: lat, lng: lng, hours: [weekdays]);
        var alwaysOpen = await cloud.CreateLotAsync(lat: lat + 0.01, lng: lng);
        using var client = cloud.CreateClient();
        var monday = Bookings.BookingsApiTests.NextBerlinMidnight(cloud.Clock.GetUtcNow(), DayOfWeek.Monday);

        async Task<string[]> SearchAsync(DateTimeOffset from, DateTimeOffset to)
        {
            var response = await client.PostAsJsonAsync("/api/v1/parking/search", new { lat, lng, radiusMeters = 5000, vehicleType = "car", from, to }, TestContext.Token);
            return [.. (await response.Content.ReadFromJsonAsync<SearchResult[]>(CloudApplication.Json, TestContext.Token))!.Select(r => r.LotId)];
        }

        Assert.Equal([weekdaysOnly.LotId, alwaysOpen.LotId], await SearchAsync(monday.AddHours(8), monday.AddHours(10)));
        Assert.Equal([alwaysOpen.LotId], await SearchAsync(monday.AddDays(-2).AddHours(10), monday.AddDays(-2).AddHours(12)));
    }

    public static TheoryData<string, object> BadSearches() => new()
    {
        { "latitude above 90", new { lat = 91, lng = 0, radiusMeters = 100 } },
        { "longitude below -180", new { lat = 0, lng = -181, radiusMeters = 100 } },
        { "negative radius", new { lat = 0, lng = 0, radiusMeters = -5 } },
        { "radius too large", new { lat = 0, lng = 0, radiusMeters = 1e9 } },
        { "missing radius", new { lat = 0, lng = 0 } },
        { "to before from", new { lat = 0, lng = 0, radiusMeters = 100, from = "2031-01-01T10:00:00Z", to = "2031-01-01T09:00:00Z" } },
        { "unknown vehicle type", new { lat = 0, lng = 0, radiusMeters = 100, vehicleType = "spaceship" } },
    };

    [Theory]
    [MemberData(nameof(BadSearches))]
    public async Task Search_BadRequest_400Problem(string scenario, object body)
    {
        using var client = cloud.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/parking/search", body, TestContext.Token);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{scenario}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Token)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void DistanceMeters_OneDegreeOfLatitude_About111Km()
    {
        Assert.InRange(GeoMath.DistanceMeters(new GeoPoint(0, 0), new GeoPoint(1, 0)), 111_000, 111_400);
    }
}
