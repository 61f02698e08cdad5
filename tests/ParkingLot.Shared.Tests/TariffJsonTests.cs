using System.Text.Json;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Shared.Tests.Builders;

namespace ParkingLot.Shared.Tests;

public sealed class TariffJsonTests
{
    private const string OneCarTariff = """{"version":"v","currency":"EUR","timeZone":"Europe/Berlin","demandBands":[],"vehicleTypes":{"car":{"incrementMinutes":15,"ratePerIncrement":100,"freeMinutes":0,"exitGraceMinutes":10,"dailyMax":2000,"lostTicketFee":3000,"timeBands":[]}}}""";

    [Fact]
    public void Deserialize_DemoLotTariff_IsValidAndPricesEveryVehicleType()
    {
        var tariff = DemoLot.Tariff;

        Assert.Empty(TariffEngine.Validate(tariff));
        Assert.Equal("demo-2026-11", tariff.Version);
        Assert.Equal("EUR", tariff.Currency);
        Assert.Equal(Enum.GetValues<VehicleType>().Order(), tariff.VehicleTypes.Keys.Order());
        Assert.Equal(new TimeBand(new TimeOnly(20, 0), new TimeOnly(7, 0), 50), Assert.Single(tariff.VehicleTypes[VehicleType.Car].TimeBands));
        Assert.Equal(3, tariff.DemandBands.Count);
    }

    [Fact]
    public void Quote_DemoLotTariff_PricesAWeekdayAfternoon()
    {
        var entry = new DateTimeOffset(2026, 11, 3, 13, 0, 0, TimeSpan.FromHours(1));

        var quote = TariffEngine.Quote(DemoLot.Tariff, VehicleType.Car, entry, entry.AddHours(2).AddMinutes(5));

        // 2 h 05 min in 15-minute increments = 9 started increments at the day rate 1.00 EUR.
        Assert.Equal(new Money(900, "EUR"), quote.Total);
        Assert.Equal("demo-2026-11", quote.TariffVersion);
    }

    [Fact]
    public void Serialize_Tariff_RoundTripsWithCamelCaseKeysAndHourMinuteTimes()
    {
        var json = JsonSerializer.Serialize(DemoLot.Tariff, ParkingLotJsonContext.Default.TariffDefinition);

        Assert.Contains("\"car\":{", json, StringComparison.Ordinal);
        Assert.Contains("\"from\":\"20:00\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.TariffDefinition)!;
        Assert.Equal(
            JsonSerializer.Serialize(back, ParkingLotJsonContext.Default.TariffDefinition),
            json);
    }

    [Theory]
    [InlineData("\"bus\"", "'bus' is not a vehicle type")]
    [InlineData("\"1\"", "'1' is not a vehicle type")]
    public void Deserialize_UnknownVehicleTypeKey_IsRejectedNamingTheKey(string key, string expected)
    {
        var json = OneCarTariff.Replace("\"car\"", key, StringComparison.Ordinal);

        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.TariffDefinition));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"25:00\"")]
    [InlineData("\"8pm\"")]
    [InlineData("2000")]
    public void Deserialize_BadBandTime_IsRejected(string time)
    {
        var json = OneCarTariff.Replace("\"timeBands\":[]", "\"timeBands\":[{\"from\":" + time + ",\"to\":\"07:00\",\"ratePerIncrement\":50}]", StringComparison.Ordinal);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.TariffDefinition));
    }

    [Fact]
    public void Deserialize_BandTimeWithSeconds_IsAccepted()
    {
        var json = """{"version":"v","currency":"EUR","timeZone":"Europe/Berlin","demandBands":[],"vehicleTypes":{"car":{"incrementMinutes":15,"ratePerIncrement":100,"freeMinutes":0,"exitGraceMinutes":10,"dailyMax":2000,"lostTicketFee":3000,"timeBands":[{"from":"20:00:00","to":"07:00","ratePerIncrement":50}]}}}""";

        var tariff = JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.TariffDefinition)!;

        Assert.Equal(new TimeOnly(20, 0), tariff.VehicleTypes[VehicleType.Car].TimeBands[0].From);
    }
}
