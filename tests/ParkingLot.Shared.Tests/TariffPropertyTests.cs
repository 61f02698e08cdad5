using FsCheck;
using FsCheck.Xunit;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Shared.Tests.Builders;

namespace ParkingLot.Shared.Tests;

/// <summary>
/// Invariants of <see cref="TariffEngine.Quote"/> over random stays on the demo tariff (every vehicle
/// type, entries across 2026 so both DST changes are crossed, stays up to five days, any occupancy).
/// The bound checked is the documented one: total ≤ round-half-up(DailyMax × 24-hour periods started × percent / 100).
/// </summary>
public sealed class TariffPropertyTests
{
    private const int Cases = 2_000;
    private static readonly DateTimeOffset YearStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly VehicleType[] VehicleTypes = Enum.GetValues<VehicleType>();

    [Fact]
    public void Quote_RandomStays_HoldEveryInvariant()
    {
        var tariff = DemoLot.Tariff;
        var random = new Random(6_2026);
        for (var i = 0; i < Cases; i++)
        {
            var vehicleType = VehicleTypes[random.Next(VehicleTypes.Length)];
            var entry = YearStart.AddSeconds(random.NextInt64(365L * 24 * 3600));
            var stay = TimeSpan.FromSeconds(random.NextInt64(5L * 24 * 3600));
            var longer = stay + TimeSpan.FromSeconds(random.NextInt64(2L * 24 * 3600));
            var occupancy = random.NextDouble() * 1.1;
            var context = $"case {i}: {vehicleType} from {entry:O} for {stay} at {occupancy:0.###}";

            var quote = TariffEngine.Quote(tariff, vehicleType, entry, entry + stay, occupancy);
            var again = TariffEngine.Quote(tariff, vehicleType, entry, entry + stay, occupancy);
            var longerQuote = TariffEngine.Quote(tariff, vehicleType, entry, entry + longer, occupancy);

            Assert.True(quote.Total.Minor >= 0, context);
            Assert.True(longerQuote.Total.Minor >= quote.Total.Minor, $"{context}: {longer} costs {longerQuote.Total}, less than {quote.Total}");
            var bound = UpperBound(tariff.VehicleTypes[vehicleType].DailyMax, stay, quote.DemandMultiplierPercent);
            Assert.True(quote.Total.Minor <= bound, $"{context}: {quote.Total.Minor} > bound {bound}");
            Assert.Equal(tariff.Version, quote.TariffVersion);
            AssertSame(quote, again);
            TariffEngineTests.AssertLinesSumToTotal(quote);
            TariffEngineTests.AssertLinesSumToTotal(longerQuote);
        }
    }

    [Fact]
    public void LostTicket_RandomStays_NeverBelowFeeOrStay()
    {
        var tariff = DemoLot.Tariff;
        var random = new Random(4_711);
        for (var i = 0; i < Cases; i++)
        {
            var vehicleType = VehicleTypes[random.Next(VehicleTypes.Length)];
            var entry = YearStart.AddSeconds(random.NextInt64(365L * 24 * 3600));
            var exit = entry.AddSeconds(random.NextInt64(4L * 24 * 3600));
            var occupancy = random.NextDouble();

            var lost = TariffEngine.LostTicket(tariff, vehicleType, entry, exit, occupancy);
            var stay = TariffEngine.Quote(tariff, vehicleType, entry, exit, occupancy);

            Assert.Equal(Math.Max(tariff.VehicleTypes[vehicleType].LostTicketFee, stay.Total.Minor), lost.Total.Minor);
            TariffEngineTests.AssertLinesSumToTotal(lost);
        }
    }

    [Property(MaxTest = 1_000)]
    public bool Quote_ExtraMinutes_NeverLowerTheFee(PositiveInt stayMinutes, NonNegativeInt extraMinutes, NonNegativeInt entryMinuteOfYear)
    {
        var entry = YearStart.AddMinutes(entryMinuteOfYear.Get % (365 * 24 * 60));
        var exit = entry.AddMinutes(stayMinutes.Get % (10 * 24 * 60));

        var shorter = TariffEngine.Quote(DemoLot.Tariff, VehicleType.Car, entry, exit, 0.9);
        var longer = TariffEngine.Quote(DemoLot.Tariff, VehicleType.Car, entry, exit.AddMinutes(extraMinutes.Get % (3 * 24 * 60)), 0.9);

        return longer.Total.Minor >= shorter.Total.Minor;
    }

    private static long UpperBound(long dailyMax, TimeSpan stay, int percent)
    {
        var daysStarted = Math.Max(1, (stay.Ticks + TimeSpan.TicksPerDay - 1) / TimeSpan.TicksPerDay);
        return ((dailyMax * daysStarted * percent) + 50) / 100;
    }

    private static void AssertSame(FeeQuote expected, FeeQuote actual)
    {
        // Records compare their line lists by reference, so compare field by field.
        Assert.Equal(expected with { Lines = [] }, actual with { Lines = [] });
        Assert.Equal(expected.Lines, actual.Lines);
    }
}
