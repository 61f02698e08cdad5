using System.Device.Gpio;
using ParkingLot.Edge.Hardware;
using ParkingLot.Tests.Common;
using ParkingLot.Edge.Hardware.Inputs;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class DebouncedInputTests
{
    private const int Pin = 22;

    private static DebouncedInput Loop(HardwareTestKit kit, double stableMs = 30) =>
        new("lane1.loop", DeviceKind.InductionLoop, kit.Controller,
            new DebouncedInputOptions { Pin = Pin, StableTime = TimeSpan.FromMilliseconds(stableMs) }, kit.Time, shouldDispose: false);

    [Fact]
    public void Edges_ShorterThanStableTime_AreIgnored()
    {
        using var kit = new HardwareTestKit();
        using var input = Loop(kit);
        var changes = new List<bool>();
        input.Changed += (_, e) => changes.Add(e.IsActive);

        // A relay contact chattering for 25 ms, every gap shorter than 30 ms, ending where it began.
        for (var i = 0; i < 5; i++)
        {
            kit.Driver.SetInput(Pin, PinValue.Low);
            kit.Advance(3);
            kit.Driver.SetInput(Pin, PinValue.High);
            kit.Advance(2);
        }

        kit.Advance(100);

        Assert.Empty(changes);
        Assert.False(input.IsActive);
        Assert.True(input.IgnoredEdges >= 1);
    }

    [Fact]
    public void Change_WithBouncesThenStable_IsReportedOnceAfterStableTime()
    {
        using var kit = new HardwareTestKit();
        using var input = Loop(kit);
        var changes = new List<(bool Active, DateTimeOffset At)>();
        input.Changed += (_, e) => changes.Add((e.IsActive, e.At));

        kit.Driver.SetInput(Pin, PinValue.Low);
        kit.Advance(4);
        kit.Driver.SetInput(Pin, PinValue.High);
        kit.Advance(4);
        kit.Driver.SetInput(Pin, PinValue.Low);
        var lastEdge = kit.Time.GetUtcNow();
        kit.Advance(29);
        Assert.Empty(changes);

        kit.Advance(1);
        kit.Advance(500);

        var change = Assert.Single(changes);
        Assert.True(change.Active);
        Assert.Equal(lastEdge + TimeSpan.FromMilliseconds(30), change.At);
        Assert.True(input.IsActive);
    }

    [Fact]
    public void ActiveHigh_HighLevel_IsActive()
    {
        using var kit = new HardwareTestKit();
        using var beam = new DebouncedInput("lane1.beam", DeviceKind.IrBeam, kit.Controller,
            new DebouncedInputOptions { Pin = Pin, ActiveLow = false, Mode = PinMode.InputPullDown }, kit.Time, shouldDispose: false);
        Assert.False(beam.IsActive);

        kit.Driver.SetInput(Pin, PinValue.High);
        kit.Advance(30);

        Assert.True(beam.IsActive);
    }

    [Fact]
    public void Constructor_LevelAlreadyActive_StartsActive()
    {
        using var kit = new HardwareTestKit();
        kit.Driver.SetInput(Pin, PinValue.Low);

        using var input = Loop(kit);

        Assert.True(input.IsActive);
    }

    [Fact]
    public async Task WaitForAsync_CompletesWhenTheDebouncedStateArrives()
    {
        using var kit = new HardwareTestKit();
        using var input = Loop(kit);
        var waiting = input.WaitForAsync(true, TestContext.Token);

        kit.Driver.SetInput(Pin, PinValue.Low);
        kit.Advance(10);
        Assert.False(waiting.IsCompleted);
        kit.Advance(20);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(input.IsActive);
    }

    [Fact]
    public void Dispose_NotOwningController_UnregistersAndLeavesControllerUsable()
    {
        using var kit = new HardwareTestKit();
        var input = Loop(kit);

        input.Dispose();

        Assert.Equal(0, kit.Driver.CallbackCount(Pin));
        kit.Controller.OpenPin(Pin, PinMode.Input);
        Assert.True(kit.Controller.IsPinOpen(Pin));
    }
}
