using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Shared.Tests.Builders;

namespace ParkingLot.Shared.Tests;

public sealed class TariffValidationTests
{
    private static readonly Dictionary<string, Func<TariffDefinition, TariffDefinition>> Mutations = new()
    {
        ["empty version"] = t => t with { Version = " " },
        ["lower-case currency"] = t => t with { Currency = "eur" },
        ["unknown time zone"] = t => t with { TimeZone = "Mars/Olympus" },
        ["no vehicle types"] = t => t with { VehicleTypes = new Dictionary<VehicleType, VehicleTariff>() },
        ["zero increment"] = t => Car(t, c => c with { IncrementMinutes = 0 }),
        ["increment over a day"] = t => Car(t, c => c with { IncrementMinutes = 1441 }),
        ["negative rate"] = t => Car(t, c => c with { RatePerIncrement = -1 }),
        ["negative free minutes"] = t => Car(t, c => c with { FreeMinutes = -1 }),
        ["negative grace"] = t => Car(t, c => c with { ExitGraceMinutes = -5 }),
        ["negative lost ticket fee"] = t => Car(t, c => c with { LostTicketFee = -1 }),
        ["daily max below one increment"] = t => Car(t, c => c with { DailyMax = 99 }),
        ["daily max below a band rate"] = t => Car(t, c => c with { DailyMax = 400, TimeBands = [new TimeBand(new(20, 0), new(7, 0), 500)] }),
        ["negative band rate"] = t => Car(t, c => c with { TimeBands = [new TimeBand(new(20, 0), new(7, 0), -50)] }),
        ["empty band"] = t => Car(t, c => c with { TimeBands = [new TimeBand(new(8, 0), new(8, 0), 50)] }),
        ["overlapping bands"] = t => Car(t, c => c with { TimeBands = [new TimeBand(new(20, 0), new(7, 0), 50), new TimeBand(new(6, 0), new(9, 0), 80)] }),
        ["unsorted demand bands"] = t => t with { DemandBands = [new DemandBand(0.8, 125), new DemandBand(0.5, 110)] },
        ["repeated demand band"] = t => t with { DemandBands = [new DemandBand(0.5, 110), new DemandBand(0.5, 125)] },
        ["occupancy above 1"] = t => t with { DemandBands = [new DemandBand(1.5, 125)] },
        ["negative occupancy"] = t => t with { DemandBands = [new DemandBand(-0.1, 125)] },
        ["NaN occupancy"] = t => t with { DemandBands = [new DemandBand(double.NaN, 125)] },
        ["discount multiplier"] = t => t with { DemandBands = [new DemandBand(0, 90)] },
        ["typo multiplier"] = t => t with { DemandBands = [new DemandBand(0.8, 1250)] },
    };

    [Fact]
    public void Validate_DemoTariff_HasNoProblems()
    {
        Assert.Empty(TariffEngine.Validate(DemoLot.Tariff));
    }

    [Theory]
    [InlineData("empty version", "version must not be empty.")]
    [InlineData("lower-case currency", "currency 'eur'")]
    [InlineData("unknown time zone", "timeZone 'Mars/Olympus'")]
    [InlineData("no vehicle types", "vehicleTypes must price at least one")]
    [InlineData("zero increment", "vehicleTypes.car.incrementMinutes must be between 1 and 1440 (is 0)")]
    [InlineData("increment over a day", "vehicleTypes.car.incrementMinutes")]
    [InlineData("negative rate", "vehicleTypes.car.ratePerIncrement must not be negative")]
    [InlineData("negative free minutes", "vehicleTypes.car.freeMinutes must not be negative")]
    [InlineData("negative grace", "vehicleTypes.car.exitGraceMinutes must not be negative (is -5)")]
    [InlineData("negative lost ticket fee", "vehicleTypes.car.lostTicketFee")]
    [InlineData("daily max below one increment", "vehicleTypes.car.dailyMax (99) must be at least one increment's rate (100)")]
    [InlineData("daily max below a band rate", "timeBands[0] (500)")]
    [InlineData("negative band rate", "vehicleTypes.car.timeBands[0].ratePerIncrement must not be negative")]
    [InlineData("empty band", "vehicleTypes.car.timeBands[0] is empty")]
    [InlineData("overlapping bands", "vehicleTypes.car.timeBands[1] overlaps vehicleTypes.car.timeBands[0]")]
    [InlineData("unsorted demand bands", "demandBands[1].occupancyFrom must be greater than demandBands[0].occupancyFrom")]
    [InlineData("repeated demand band", "demandBands[1].occupancyFrom must be greater")]
    [InlineData("occupancy above 1", "demandBands[0].occupancyFrom must be between 0 and 1 (is 1.5)")]
    [InlineData("negative occupancy", "demandBands[0].occupancyFrom must be between 0 and 1")]
    [InlineData("NaN occupancy", "demandBands[0].occupancyFrom must be between 0 and 1 (is NaN)")]
    [InlineData("discount multiplier", "demandBands[0].multiplierPercent must be between 100 and 1000 (is 90)")]
    [InlineData("typo multiplier", "demandBands[0].multiplierPercent")]
    public void Validate_BrokenTariff_NamesTheField(string mutation, string expected)
    {
        var problems = TariffEngine.Validate(Mutations[mutation](DemoLot.Tariff));

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AdjacentBands_AreNotOverlapping()
    {
        var tariff = Car(DemoLot.Tariff, c => c with
        {
            TimeBands = [new TimeBand(new(20, 0), new(7, 0), 50), new TimeBand(new(7, 0), new(9, 0), 80), new TimeBand(new(17, 0), new(20, 0), 80)],
        });

        Assert.Empty(TariffEngine.Validate(tariff));
    }

    [Fact]
    public void Validate_NoDemandBands_IsValid()
    {
        Assert.Empty(TariffEngine.Validate(DemoLot.Tariff with { DemandBands = [] }));
    }

    private static TariffDefinition Car(TariffDefinition tariff, Func<VehicleTariff, VehicleTariff> change)
    {
        var types = tariff.VehicleTypes.ToDictionary(p => p.Key, p => p.Value);
        types[VehicleType.Car] = change(types[VehicleType.Car]);
        return tariff with { VehicleTypes = types };
    }
}
