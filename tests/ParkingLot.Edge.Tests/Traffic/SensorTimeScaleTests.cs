using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Control;
using ParkingLot.Edge.Tests.Builders;

namespace ParkingLot.Edge.Tests.Traffic;

/// <summary>Sensor change rates on a time-compressed simulated lot (the demo's "flapping" that was only compression).</summary>
public sealed class SensorTimeScaleTests
{
    [Fact]
    public async Task Of_LotAtSpeed60_RatesArePerScenarioHourButAnInjectedFaultIsPerRealHour()
    {
        using var directory = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerBuilder.OpenAsync(directory, time);
        var scale = new SensorTimeScale(60);
        var activity = new SensorActivity(ledger, [], time, scale);

        // 30 loop changes in one real minute: 1,800 an hour on the clock, 30 per scenario hour at 60x.
        for (var i = 0; i < 30; i++)
        {
            activity.Record("entry-1.loop", time.GetUtcNow());
            activity.Record("exit-1.beam", time.GetUtcNow());
            time.Advance(TimeSpan.FromSeconds(2));
        }

        scale.MarkRealTime("exit-1.beam");
        var (_, scenarioRate, count) = activity.Of("entry-1.loop");
        var (_, realRate, _) = activity.Of("exit-1.beam");

        Assert.Equal(30, count);
        Assert.Equal(30, scenarioRate, precision: 6);
        Assert.Equal(1800, realRate, precision: 6);
    }
}
