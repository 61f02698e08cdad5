using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Tests.Builders;

/// <summary>Valid tariffs for tests: every vehicle type at 100 per 15 minutes (EUR), no free time, 20.00 daily maximum.</summary>
internal static class TestTariffs
{
    public static TariffDefinition Simple(string version = "test-1", long rate = 100, IReadOnlyList<DemandBand>? demand = null) =>
        new(
            version,
            "EUR",
            "Europe/Berlin",
            Enum.GetValues<VehicleType>().ToDictionary(t => t, _ => new VehicleTariff(15, rate, 0, 15, 2000, 3000, [])),
            demand ?? []);
}
