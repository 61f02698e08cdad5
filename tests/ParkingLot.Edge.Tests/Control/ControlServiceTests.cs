using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Control;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Control;

public sealed class ControlServiceTests
{
    [Fact]
    public void Redact_LotFileWithCredentials_ReplacesSecretValuesOnly()
    {
        const string lot = """
            { "lotId": "a", "cloud": { "broker": "h:1883", "username": "edge", "password": "p4ss" },
              "kiosk": { "apiKey": "k-123", "listen": "127.0.0.1:8088" }, "token": null }
            """;

        var redacted = ControlService.Redact(lot);

        using var json = JsonDocument.Parse(redacted);
        var root = json.RootElement;
        Assert.Equal("***", root.GetProperty("cloud").GetProperty("password").GetString());
        Assert.Equal("***", root.GetProperty("kiosk").GetProperty("apiKey").GetString());
        Assert.Equal("edge", root.GetProperty("cloud").GetProperty("username").GetString());
        Assert.Equal("h:1883", root.GetProperty("cloud").GetProperty("broker").GetString());
        Assert.DoesNotContain("p4ss", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SensorActivity_OccupancyEventsInLedger_CountsChangesPerHourOverTheWindow()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerBuilder.OpenAsync(directory, time);
        var activity = new SensorActivity(ledger, [], time);
        await activity.StartAsync(TestContext.Token);
        time.Advance(SensorActivity.Window);

        for (var i = 0; i < 10; i++)
        {
            await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged("A001", VehicleType.Car, i % 2 == 0, "sensor-A001"), TestContext.Token);
            time.Advance(TimeSpan.FromSeconds(30));
        }

        var (last, perHour, count) = activity.Of("sensor-A001");
        time.Advance(SensorActivity.Window);
        var (_, later, _) = activity.Of("sensor-A001");
        await activity.StopAsync(TestContext.Token);

        Assert.Equal(60, perHour);
        Assert.Equal(10, count);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 14, 30, TimeSpan.Zero), last);
        Assert.Equal(0, later);
        Assert.Equal((null, 0, 0), activity.Of("sensor-B002"));
    }
}
