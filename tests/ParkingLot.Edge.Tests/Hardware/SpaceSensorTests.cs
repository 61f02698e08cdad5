using System.Device.Gpio;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class SpaceSensorTests
{
    private static readonly DistanceThresholds Thresholds = new(OccupiedBelowMm: 1200, FreeAboveMm: 1600);

    [Fact]
    public void GpioSpaceSensor_ActiveLowPin_ReadsOccupiedWhenLow()
    {
        using var kit = new HardwareTestKit();
        using var sensor = new GpioSpaceSensor("A-001", kit.Controller, pin: 12, shouldDispose: false);

        Assert.True(sensor.TryReadOccupied(out var before));
        kit.Driver.SetInput(12, PinValue.Low);
        Assert.True(sensor.TryReadOccupied(out var after));

        Assert.False(before);
        Assert.True(after);
    }

    [Fact]
    public void DistanceSpaceSensor_FirstReadingInGap_GivesNoReading()
    {
        var source = new SimulatedDistanceSource { DistanceMm = 1400 };
        var sensor = new DistanceSpaceSensor("A-002", DeviceKind.TimeOfFlightSensor, source, Thresholds);

        Assert.False(sensor.TryReadOccupied(out _));
        source.DistanceMm = 1000;
        Assert.True(sensor.TryReadOccupied(out var occupied));
        Assert.True(occupied);
    }

    [Fact]
    public void DistanceSpaceSensor_RepeatedFailures_ReportsFaulted()
    {
        var source = new SimulatedDistanceSource { Failing = true };
        var sensor = new DistanceSpaceSensor("A-003", DeviceKind.UltrasonicSensor, source, Thresholds);

        for (var i = 0; i < 5; i++)
        {
            Assert.False(sensor.TryReadOccupied(out _));
        }

        Assert.Equal(DeviceState.Faulted, sensor.GetHealth().State);
    }

    [Fact]
    public void PollOnce_PersonWalkingPast_DoesNotChangeState()
    {
        using var kit = new HardwareTestKit();
        var source = new SimulatedDistanceSource { DistanceMm = 2500 };
        var poller = new SpaceSensorPoller([new DistanceSpaceSensor("A-004", DeviceKind.UltrasonicSensor, source, Thresholds)],
            new SpaceSensorPollerOptions { RequiredConsecutive = 3 }, kit.Time);
        var established = Enumerable.Range(0, 3).SelectMany(_ => poller.PollOnce()).ToList();
        Assert.Equal([false], established.Select(c => c.Occupied));

        source.DistanceMm = 900;
        var during = poller.PollOnce().Concat(poller.PollOnce()).ToList();
        source.DistanceMm = 2500;
        var after = poller.PollOnce();

        Assert.Empty(during);
        Assert.Empty(after);
        Assert.False(poller.StateOf("A-004"));
    }

    [Fact]
    public async Task WatchAsync_CarParks_ReportsOneChangeAfterThreePolls()
    {
        using var kit = new HardwareTestKit();
        kit.Driver.SetInput(13, PinValue.High);
        using var sensor = new GpioSpaceSensor("A-005", kit.Controller, pin: 13, shouldDispose: false);
        var poller = new SpaceSensorPoller([sensor], new SpaceSensorPollerOptions { Interval = TimeSpan.FromSeconds(1), RequiredConsecutive = 3 }, kit.Time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Token);
        var seen = new List<SpaceOccupancyChange>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in poller.WatchAsync(stop.Token))
            {
                lock (seen)
                {
                    seen.Add(change);
                }
            }
        });

        await AdvanceUntil(kit, () => Count(seen) == 1);
        var parkedAt = kit.Time.GetUtcNow();
        kit.Driver.SetInput(13, PinValue.Low);
        await AdvanceUntil(kit, () => Count(seen) == 2);
        await stop.CancelAsync();
        await watching.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([false, true], seen.Select(c => c.Occupied));
        Assert.Equal(TimeSpan.FromSeconds(3), seen[1].At - parkedAt);
    }

    private static int Count(List<SpaceOccupancyChange> seen)
    {
        lock (seen)
        {
            return seen.Count;
        }
    }

    private static async Task AdvanceUntil(HardwareTestKit kit, Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            // Let the poller reach its next WaitForNextTickAsync before time moves on.
            await Task.Delay(5, CancellationToken.None);
            kit.Advance(1000);
            await Task.Delay(5, CancellationToken.None);
        }

        Assert.True(condition());
    }
}
