using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests;

/// <summary>The HTTP surface: lots, availability, health, metrics, OpenAPI, dashboard.</summary>
[Collection(CloudCollection.Name)]
public class CloudApiTests(CloudApplication cloud)
{
    [Fact]
    public async Task GetAvailability_SeededLot_ListsCapacityPerVehicleType()
    {
        var availability = await cloud.GetAvailabilityAsync(cloud.SeededLotId);

        Assert.Equal(cloud.SeededLotId, availability.LotId);
        Assert.Equal(
            [(VehicleType.Car, 3, 0, 3), (VehicleType.Ev, 2, 0, 2)],
            availability.VehicleTypes.Select(t => (t.VehicleType, t.Capacity, t.Occupied, t.Free)));
    }

    [Fact]
    public async Task GetAvailability_Json_UsesCamelCaseNamesAndEnumStrings()
    {
        using var client = cloud.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/lots/{cloud.SeededLotId}/availability", TestContext.Token));

        var first = json.RootElement.GetProperty("vehicleTypes")[0];
        Assert.Equal("car", first.GetProperty("vehicleType").GetString());
        Assert.Equal(3, first.GetProperty("free").GetInt32());
        Assert.True(json.RootElement.TryGetProperty("asOf", out _));
    }

    [Fact]
    public async Task GetAvailability_UnknownLot_Returns404Problem()
    {
        using var client = cloud.CreateClient();

        var response = await client.GetAsync("/api/v1/lots/no-such-lot/availability", TestContext.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Token);
        Assert.Equal((404, "Unknown lot"), (problem!.Status, problem.Title));
    }

    [Theory]
    [InlineData("/api/v1/lots/b%24d!/availability")]
    [InlineData("/api/v1/lots/-leading-dash")]
    [InlineData("/api/v1/lots/x2345678901234567890123456789012345678901234567890123456789012345/availability")]
    public async Task Get_GarbageLotId_Returns400Problem(string path)
    {
        using var client = cloud.CreateClient();

        var response = await client.GetAsync(path, TestContext.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetLots_SeededLot_IsListedWithLocation()
    {
        using var client = cloud.CreateClient();

        var lots = await client.GetFromJsonAsync<LotSummary[]>("/api/v1/lots", CloudApplication.Json, TestContext.Token);

        var seeded = Assert.Single(lots!, l => l.Id == cloud.SeededLotId);
        Assert.Equal(("Seeded Lot", new GeoPoint(52.5, 13.4)), (seeded.Name, seeded.Location));
    }

    [Fact]
    public async Task GetLot_SeededLot_ReturnsDetails()
    {
        using var client = cloud.CreateClient();

        var lot = await client.GetFromJsonAsync<LotDetails>($"/api/v1/lots/{cloud.SeededLotId}", CloudApplication.Json, TestContext.Token);

        Assert.Equal((cloud.SeededLotId, "Europe/Berlin", 5), (lot!.Id, lot.TimeZone, lot.SpotCount));
        Assert.Equal(["C", "E"], lot.Zones);
    }

    [Fact]
    public async Task GetLot_UnknownLot_Returns404Problem()
    {
        using var client = cloud.CreateClient();

        var response = await client.GetAsync("/api/v1/lots/no-such-lot", TestContext.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_RunningCloud_Returns200Healthy(string path)
    {
        using var client = cloud.CreateClient();

        var response = await client.GetAsync(path, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Token));
    }

    [Fact]
    public async Task OpenApi_Document_ListsLotAndAvailabilityPaths()
    {
        using var client = cloud.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Token));

        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/lots/{lotId}/availability", out var availability));
        Assert.True(availability.GetProperty("get").GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(paths.TryGetProperty("/api/v1/lots/{lotId}", out _));
    }

    [Fact]
    public async Task Metrics_AfterIngest_PrintsIngestCountersInPrometheusText()
    {
        var lot = await cloud.CreateLotAsync();
        var batch = new EdgeBatchBuilder(lot.LotId).Occupancy("C1", VehicleType.Car, true).All();
        await cloud.Reconciler.IngestAsync(Topics.EdgeEvents(lot.LotId), EdgeBatchBuilder.Bytes(batch), TestContext.Token);
        await cloud.Reconciler.IngestAsync(Topics.EdgeEvents(lot.LotId), "{"u8.ToArray(), TestContext.Token);
        using var client = cloud.CreateClient();

        var text = await client.GetStringAsync("/metrics", TestContext.Token);

        Assert.Matches(@"(?m)^parkinglot_ingest_events_applied_total\{otel_scope_name=""ParkingLot.Cloud""\} \d+", text);
        Assert.Matches(@"(?m)^parkinglot_ingest_batches_rejected_total\{otel_scope_name=""ParkingLot.Cloud"",reason=""malformed""\} \d+", text);
        Assert.Contains("# TYPE parkinglot_ingest_events_applied_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_Root_ServesThePollingPage()
    {
        using var client = cloud.CreateClient();

        var response = await client.GetAsync("/", TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/availability", await response.Content.ReadAsStringAsync(TestContext.Token), StringComparison.Ordinal);
    }
}
