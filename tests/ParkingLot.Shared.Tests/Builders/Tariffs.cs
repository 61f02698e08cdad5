using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Shared.Tests.Builders;

/// <summary>Small tariffs for cases the demo lot's numbers do not reach.</summary>
internal static class Tariffs
{
    /// <summary>Cars only, 15-minute increments at <paramref name="rate"/>, no free time, no bands.</summary>
    public static TariffDefinition Simple(long rate = 100, long dailyMax = 2000, params DemandBand[] demandBands) =>
        new(
            "test-1",
            "EUR",
            "Europe/Berlin",
            new Dictionary<VehicleType, VehicleTariff>
            {
                [VehicleType.Car] = new(15, rate, 0, 15, dailyMax, 3000, []),
            },
            demandBands);

    /// <summary>Berlin wall-clock time as an offset instant (the offset the zone has at that moment).</summary>
    public static DateTimeOffset Berlin(int year, int month, int day, int hour, int minute = 0)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
