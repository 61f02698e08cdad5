using System.Net;
using System.Net.Http.Json;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Quotes;

[Collection(BookingCloudCollection.Name)]
public sealed class QuotesApiTests(BookingCloud cloud)
{
    [Fact]
    public async Task Quote_Window_EqualsTariffEngineQuote()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient();
        var start = DateTimeOffset.FromUnixTimeSeconds(cloud.Clock.GetUtcNow().AddHours(5).ToUnixTimeSeconds());
        var end = start.AddMinutes(95);

        var response = await client.PostAsJsonAsync("/api/v1/quotes", new { lotId = lot.LotId, vehicleType = "ev", startTime = start, endTime = end }, TestContext.Token);

        var quote = (await response.Content.ReadFromJsonAsync<FeeQuote>(CloudApplication.Json, TestContext.Token))!;
        var expected = TariffEngine.Quote(TestTariffs.Simple(), VehicleType.Ev, start, end);
        Assert.Equal((expected.Total, expected.TariffVersion, expected.DemandMultiplierPercent), (quote.Total, quote.TariffVersion, quote.DemandMultiplierPercent));
        Assert.Equal(expected.Lines, quote.Lines);
    }

    [Theory]
    [InlineData("no-such-lot", "car", 1, 2, HttpStatusCode.NotFound)]
    [InlineData("{lot}", "car", 2, 1, HttpStatusCode.BadRequest)]
    [InlineData("{lot}", "truck", 1, 2, HttpStatusCode.UnprocessableEntity)]
    [InlineData("{lot}", "car", -5, 1, HttpStatusCode.UnprocessableEntity)]
    [InlineData("{lot}", "car", 1, 24 * 800, HttpStatusCode.UnprocessableEntity)]
    public async Task Quote_BadRequest_Problem(string lotId, string vehicleType, int fromHours, int toHours, HttpStatusCode expected)
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient();
        var now = cloud.Clock.GetUtcNow();

        var response = await client.PostAsJsonAsync(
            "/api/v1/quotes",
            new { lotId = lotId.Replace("{lot}", lot.LotId, StringComparison.Ordinal), vehicleType, startTime = now.AddHours(fromHours), endTime = now.AddHours(toHours) },
            TestContext.Token);

        await BookingsApiTests.AssertProblemAsync(response, expected);
    }
}
