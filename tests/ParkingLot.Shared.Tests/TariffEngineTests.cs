using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Shared.Tests.Builders;
using static ParkingLot.Shared.Tests.Builders.Tariffs;

namespace ParkingLot.Shared.Tests;

/// <summary>
/// Operator-facing cases on the demo lot's car tariff: 15-minute increments at 1.00 EUR, 0.50 EUR from
/// 20:00 to 07:00, 15 free minutes, 15 minutes exit grace, 20.00 EUR daily maximum, 30.00 EUR lost ticket.
/// </summary>
public sealed class TariffEngineTests
{
    private static TariffDefinition Demo => DemoLot.Tariff;

    [Theory]
    [InlineData("zero-length stay", 10, 0, 0, 0)]
    [InlineData("within free minutes", 10, 0, 10, 0)]
    [InlineData("exactly at the free-minutes boundary", 10, 0, 15, 0)]
    [InlineData("first second after free: charged from entry, 2 increments", 10, 0, 15 * 60 + 1, 200)]
    [InlineData("exactly two increments", 10, 0, 30 * 60, 200)]
    [InlineData("one minute over rounds up to a whole increment", 10, 0, 31 * 60, 300)]
    [InlineData("one hour", 10, 0, 60 * 60, 400)]
    [InlineData("two hours five minutes", 10, 0, 125 * 60, 900)]
    [InlineData("daily maximum reached within a day (32 × 1.00)", 10, 0, 8 * 3600, 2000)]
    [InlineData("evening into the night band: 4 × 1.00 + 4 × 0.50", 19, 0, 2 * 3600, 600)]
    [InlineData("night band wrapping midnight: 12 × 0.50", 23, 0, 3 * 3600, 600)]
    [InlineData("night band ends at 07:00: 2 × 0.50 + 2 × 1.00", 6, 30, 3600, 300)]
    [InlineData("daily maximum across midnight: 8 × 1.00 + 40 × 0.50 capped", 18, 0, 12 * 3600, 2000)]
    [InlineData("exactly 24 hours is one day", 10, 0, 24 * 3600, 2000)]
    [InlineData("24 hours and a minute starts day 2", 10, 0, (24 * 3600) + 60, 2100)]
    [InlineData("2 days 3 hours: 2 capped days + 12 × 1.00", 10, 0, (51 * 3600), 5200)]
    public void Quote_CarStay_ChargesAsPublished(string scenario, int entryHour, int entryMinute, int staySeconds, long expectedCents)
    {
        var entry = Berlin(2026, 11, 3, entryHour, entryMinute);

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddSeconds(staySeconds));

        Assert.True(expectedCents == quote.Total.Minor, $"{scenario}: expected {expectedCents}, got {quote.Total.Minor}: {Describe(quote)}");
        Assert.Equal("EUR", quote.Total.Currency);
        AssertLinesSumToTotal(quote);
    }

    [Theory]
    [InlineData(VehicleType.Car, 800)]
    [InlineData(VehicleType.Ev, 960)]
    [InlineData(VehicleType.Accessible, 200)]
    [InlineData(VehicleType.Motorcycle, 200)]
    [InlineData(VehicleType.Truck, 2000)]
    public void Quote_DemoTariffTwoHourDaytimeStay_PricesEachVehicleType(VehicleType vehicleType, long expectedCents)
    {
        var entry = Berlin(2026, 11, 3, 10);

        var quote = TariffEngine.Quote(Demo, vehicleType, entry, entry.AddHours(2));

        Assert.Equal(expectedCents, quote.Total.Minor);
        Assert.Equal(vehicleType, quote.VehicleType);
        AssertLinesSumToTotal(quote);
    }

    [Theory]
    [InlineData(VehicleType.Car, 15, 0)]
    [InlineData(VehicleType.Accessible, 60, 0)]
    [InlineData(VehicleType.Accessible, 61, 150)]
    [InlineData(VehicleType.Truck, 1, 250)]
    public void Quote_DemoTariffFreeMinutes_DifferPerVehicleType(VehicleType vehicleType, int minutes, long expectedCents)
    {
        var entry = Berlin(2026, 11, 3, 10);

        Assert.Equal(expectedCents, TariffEngine.Quote(Demo, vehicleType, entry, entry.AddMinutes(minutes)).Total.Minor);
    }

    [Fact]
    public void Quote_NightBand_LinesNameTheBand()
    {
        var entry = Berlin(2026, 11, 3, 19);

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddHours(2));

        Assert.Equal(
            [
                "Day 1: 4 × 15 min @ 1.00 EUR",
                "Day 1: 4 × 15 min @ 0.50 EUR (20:00–07:00 band)",
            ],
            quote.Lines.Select(l => l.Description));
    }

    [Fact]
    public void Quote_MultiDayStay_BreakdownShowsEachDayAndItsCap()
    {
        var entry = Berlin(2026, 11, 3, 10);

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddHours(51));

        Assert.Equal(2, quote.Lines.Count(l => l.Description.Contains("daily maximum 20.00 EUR applied", StringComparison.Ordinal)));
        Assert.Contains(quote.Lines, l => l.Description == "Day 3: 12 × 15 min @ 1.00 EUR" && l.Amount.Minor == 1200);
        AssertLinesSumToTotal(quote);
    }

    [Fact]
    public void Quote_SpringForwardNight_ChargesElapsedTimeAtLocalBandRates()
    {
        // 29 March 2026: Berlin clocks jump 02:00 → 03:00. 00:00–08:00 on the wall is 7 hours:
        // 00:00–02:00 and 03:00–07:00 at night rate (24 × 0.50), 07:00–08:00 at day rate (4 × 1.00).
        var entry = Berlin(2026, 3, 29, 0);
        var exit = Berlin(2026, 3, 29, 8);
        Assert.Equal(TimeSpan.FromHours(7), exit - entry);

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, exit);

        Assert.Equal(1600, quote.Total.Minor);
    }

    [Fact]
    public void Quote_FallBackNight_ChargesTheRepeatedHour()
    {
        // 25 October 2026: Berlin clocks fall 03:00 → 02:00. 00:00–07:30 on the wall is 8.5 hours:
        // 8 hours of night (32 × 0.50) and 30 minutes of day (2 × 1.00).
        var entry = new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.FromHours(2));
        var exit = new DateTimeOffset(2026, 10, 25, 7, 30, 0, TimeSpan.FromHours(1));

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, exit);

        Assert.Equal(1800, quote.Total.Minor);
    }

    [Fact]
    public void Quote_SameInstantInAnyOffset_GivesTheSameFee()
    {
        var entry = Berlin(2026, 11, 3, 19);
        var utcEntry = entry.ToUniversalTime();
        var tokyoExit = entry.AddHours(3).ToOffset(TimeSpan.FromHours(9));

        var a = TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddHours(3));
        var b = TariffEngine.Quote(Demo, VehicleType.Car, utcEntry, tokyoExit);

        Assert.Equal(a.Total, b.Total);
    }

    [Theory]
    [InlineData(0.0, 100, 800)]
    [InlineData(0.5, 100, 800)]
    [InlineData(0.79, 100, 800)]
    [InlineData(0.8, 125, 1000)]
    [InlineData(0.949, 125, 1000)]
    [InlineData(0.95, 150, 1200)]
    [InlineData(1.0, 150, 1200)]
    [InlineData(1.2, 150, 1200)]
    public void Quote_DemandBand_MultipliesTheTotal(double occupancy, int expectedPercent, long expectedCents)
    {
        var entry = Berlin(2026, 11, 3, 10);

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddHours(2), occupancy);

        Assert.Equal(expectedPercent, quote.DemandMultiplierPercent);
        Assert.Equal(expectedCents, quote.Total.Minor);
        AssertLinesSumToTotal(quote);
    }

    [Fact]
    public void Quote_DemandOnACappedDay_MultipliesTheCappedSubtotal()
    {
        var entry = Berlin(2026, 11, 3, 8);

        var quote = TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddHours(10), occupancy: 0.96);

        // The daily maximum caps the pre-demand charge; demand then applies to the total (20.00 × 1.5).
        Assert.Equal(3000, quote.Total.Minor);
        Assert.Equal("Demand ×1.50 (occupancy 96%)", quote.Lines[^1].Description);
        Assert.Equal(1000, quote.Lines[^1].Amount.Minor);
    }

    [Theory]
    [InlineData(2, 125, 3)]   // 2.5 rounds half up to 3
    [InlineData(3, 125, 4)]   // 3.75 → 4
    [InlineData(5, 110, 6)]   // 5.5 → 6
    [InlineData(7, 110, 8)]   // 7.7 → 8
    [InlineData(9, 111, 10)]  // 9.99 → 10
    [InlineData(10, 101, 10)] // 10.1 → 10
    public void Quote_DemandMultiplier_RoundsHalfUpToTheMinorUnit(long rate, int percent, long expectedCents)
    {
        var tariff = Simple(rate, dailyMax: 1000, new DemandBand(0, percent));
        var entry = Berlin(2026, 11, 3, 10);

        var quote = TariffEngine.Quote(tariff, VehicleType.Car, entry, entry.AddMinutes(15));

        Assert.Equal(expectedCents, quote.Total.Minor);
        AssertLinesSumToTotal(quote);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(14 * 60 + 59, true)]
    [InlineData(15 * 60, true)]
    [InlineData(15 * 60 + 1, false)]
    [InlineData(60 * 60, false)]
    [InlineData(-60, true)]
    public void IsWithinExitGrace_SecondsAfterPayment_AllowsUpToGraceMinutes(int secondsAfterPayment, bool expected)
    {
        var paidAt = Berlin(2026, 11, 3, 12);

        Assert.Equal(expected, TariffEngine.IsWithinExitGrace(Demo, VehicleType.Car, paidAt, paidAt.AddSeconds(secondsAfterPayment)));
    }

    [Fact]
    public void IsWithinExitGrace_AccessibleVehicle_UsesItsOwnGrace()
    {
        var paidAt = Berlin(2026, 11, 3, 12);

        Assert.True(TariffEngine.IsWithinExitGrace(Demo, VehicleType.Accessible, paidAt, paidAt.AddMinutes(20)));
        Assert.False(TariffEngine.IsWithinExitGrace(Demo, VehicleType.Accessible, paidAt, paidAt.AddMinutes(21)));
    }

    [Fact]
    public void LostTicket_UnknownEntry_ChargesTheLostTicketFee()
    {
        var exit = Berlin(2026, 11, 3, 12);

        var quote = TariffEngine.LostTicket(Demo, VehicleType.Car, null, exit, occupancy: 0.99);

        Assert.Equal(new Money(3000, "EUR"), quote.Total);
        Assert.Equal(100, quote.DemandMultiplierPercent);
        Assert.Equal(exit, quote.From);
        Assert.Equal("Lost ticket fee (entry unknown)", Assert.Single(quote.Lines).Description);
    }

    [Fact]
    public void LostTicket_KnownShortStay_ChargesTheLostTicketFee()
    {
        var entry = Berlin(2026, 11, 3, 10);

        var quote = TariffEngine.LostTicket(Demo, VehicleType.Car, entry, entry.AddHours(1));

        Assert.Equal(3000, quote.Total.Minor);
        Assert.Equal("Lost ticket fee (known stay: 4.00 EUR)", Assert.Single(quote.Lines).Description);
    }

    [Fact]
    public void LostTicket_KnownStayDearerThanTheFee_ChargesTheStay()
    {
        var entry = Berlin(2026, 11, 3, 10);

        var quote = TariffEngine.LostTicket(Demo, VehicleType.Car, entry, entry.AddHours(51));

        Assert.Equal(5200, quote.Total.Minor);
        AssertLinesSumToTotal(quote);
    }

    [Fact]
    public void LostTicket_TruckUnknownEntry_UsesTheTruckFee()
    {
        Assert.Equal(8000, TariffEngine.LostTicket(Demo, VehicleType.Truck, null, Berlin(2026, 11, 3, 10)).Total.Minor);
    }

    [Fact]
    public void Quote_ExitBeforeEntry_Throws()
    {
        var entry = Berlin(2026, 11, 3, 10);

        Assert.Throws<ArgumentException>(() => TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddSeconds(-1)));
        Assert.Throws<ArgumentException>(() => TariffEngine.LostTicket(Demo, VehicleType.Car, entry, entry.AddSeconds(-1)));
    }

    [Fact]
    public void Quote_VehicleTypeNotPriced_ThrowsNamingIt()
    {
        var entry = Berlin(2026, 11, 3, 10);

        var ex = Assert.Throws<ArgumentException>(() => TariffEngine.Quote(Simple(), VehicleType.Ev, entry, entry.AddHours(1)));

        Assert.Contains("no price for vehicle type 'ev'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_InvalidTariff_ThrowsWithTheProblems()
    {
        var entry = Berlin(2026, 11, 3, 10);
        var broken = Simple() with { TimeZone = "Mars/Olympus" };

        var ex = Assert.Throws<ArgumentException>(() => TariffEngine.Quote(broken, VehicleType.Car, entry, entry.AddHours(1)));

        Assert.Contains("timeZone", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_NaNOccupancy_Throws()
    {
        var entry = Berlin(2026, 11, 3, 10);

        Assert.Throws<ArgumentOutOfRangeException>(() => TariffEngine.Quote(Demo, VehicleType.Car, entry, entry.AddHours(1), double.NaN));
    }

    internal static void AssertLinesSumToTotal(FeeQuote quote)
    {
        Assert.NotEmpty(quote.Lines);
        Assert.All(quote.Lines, l => Assert.Equal(quote.Total.Currency, l.Amount.Currency));
        Assert.Equal(quote.Total.Minor, quote.Lines.Sum(l => l.Amount.Minor));
    }

    private static string Describe(FeeQuote quote) =>
        string.Join("; ", quote.Lines.Select(l => $"{l.Description} = {l.Amount}"));
}
