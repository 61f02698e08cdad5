using System.Device.Gpio;
using ParkingLot.Edge.Hardware;
using ParkingLot.Tests.Common;
using ParkingLot.Edge.Hardware.Barriers;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class GpioBarrierTests
{
    private static readonly GpioBarrierOptions Options = new()
    {
        RelayPin = 23,
        OpenFeedbackPin = 24,
        ClosedFeedbackPin = 25,
        MoveTimeout = TimeSpan.FromSeconds(6),
    };

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task OpenAsync_ArmReachesOpenSwitch_ReturnsReachedAndEnergisesRelay()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time) { TravelTime = TimeSpan.FromSeconds(2) };
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);
        Assert.Equal(BarrierPosition.Closed, barrier.Position);

        var outcome = await kit.RunAsync(barrier.OpenAsync(TestContext.Token), Step, TimeSpan.FromSeconds(30));

        Assert.Equal(BarrierResult.Reached, outcome.Result);
        Assert.Equal(BarrierPosition.Open, barrier.Position);
        Assert.Equal(PinValue.Low, kit.Driver.GetLevel(Options.RelayPin));
        Assert.InRange(outcome.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
        Assert.Equal(DeviceState.Ok, barrier.GetHealth().State);
    }

    [Fact]
    public async Task CloseAsync_AfterOpen_ReleasesRelayAndReachesClosed()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time);
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);
        await kit.RunAsync(barrier.OpenAsync(TestContext.Token), Step, TimeSpan.FromSeconds(30));

        var outcome = await kit.RunAsync(barrier.CloseAsync(TestContext.Token), Step, TimeSpan.FromSeconds(30));

        Assert.True(outcome.Reached);
        Assert.Equal(BarrierPosition.Closed, barrier.Position);
        Assert.Equal(PinValue.High, kit.Driver.GetLevel(Options.RelayPin));
        Assert.Equal(2, arm.Moves);
    }

    [Fact]
    public async Task OpenAsync_StuckArm_ReturnsBarrierFaultAfterTimeout()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time) { Stuck = true };
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);

        var outcome = await kit.RunAsync(barrier.OpenAsync(TestContext.Token), Step, TimeSpan.FromSeconds(30));

        Assert.Equal(BarrierResult.BarrierFault, outcome.Result);
        Assert.InRange(outcome.Elapsed, Options.MoveTimeout, Options.MoveTimeout + TimeSpan.FromMilliseconds(100));
        Assert.Contains("not reached", outcome.Fault, StringComparison.Ordinal);
        Assert.Equal(BarrierPosition.Unknown, barrier.Position);
        Assert.Equal(DeviceState.Faulted, barrier.GetHealth().State);
    }

    [Fact]
    public async Task OpenAsync_ArmSlowerThanTimeout_IsAFaultEvenIfItArrivesLater()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time) { TravelTime = TimeSpan.FromSeconds(8) };
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);

        var outcome = await kit.RunAsync(barrier.OpenAsync(TestContext.Token), Step, TimeSpan.FromSeconds(30));

        Assert.Equal(BarrierResult.BarrierFault, outcome.Result);
    }

    [Fact]
    public async Task OpenAsync_BothSwitchesMade_ReturnsFaultConflicting()
    {
        using var kit = new HardwareTestKit();
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);
        kit.Driver.SetInput(Options.OpenFeedbackPin, PinValue.Low);
        kit.Driver.SetInput(Options.ClosedFeedbackPin, PinValue.Low);

        var outcome = await kit.RunAsync(barrier.OpenAsync(TestContext.Token), Step, TimeSpan.FromSeconds(30));

        Assert.Equal(BarrierResult.BarrierFault, outcome.Result);
        Assert.Equal(BarrierPosition.Conflicting, outcome.Position);
        Assert.Equal(DeviceState.Faulted, barrier.GetHealth().State);
    }

    [Fact]
    public void Constructor_ArmUp_LeavesTheRelayLineAloneSoTheArmDoesNotFall()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time, startOpen: true);
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);
        kit.Advance(3000);

        Assert.Empty(kit.Driver.Writes);
        Assert.Equal(0, arm.Descents);
        Assert.Equal(BarrierPosition.Open, barrier.Position);
    }

    [Fact]
    public async Task CloseAsync_ControllerSafetyInputReversesTheArm_ReturnsReversedNotAFault()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time, startOpen: true) { TravelTime = TimeSpan.FromSeconds(2) };
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);

        var closing = barrier.CloseAsync(TestContext.Token);
        kit.Advance(500);
        arm.ObstacleUnderArm = true;
        var outcome = await kit.RunAsync(closing, Step, TimeSpan.FromSeconds(30));

        Assert.Equal(BarrierResult.Reversed, outcome.Result);
        Assert.Equal(BarrierPosition.Open, outcome.Position);
        Assert.True(outcome.Elapsed < Options.MoveTimeout, $"reported after {outcome.Elapsed}, not at the timeout");
        Assert.Equal(DeviceState.Ok, barrier.GetHealth().State);
    }

    [Fact]
    public async Task OpenAsync_WhileClosing_ReplacesTheCloseAtOnce()
    {
        using var kit = new HardwareTestKit();
        using var arm = new SimulatedBarrierMechanics(kit.Driver, Options, kit.Time, startOpen: true) { TravelTime = TimeSpan.FromSeconds(2) };
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);
        var closing = barrier.CloseAsync(TestContext.Token);
        kit.Advance(500);

        var opening = barrier.OpenAsync(TestContext.Token);

        Assert.Equal(PinValue.Low, kit.Driver.GetLevel(Options.RelayPin));
        var closed = await kit.RunAsync(closing, Step, TimeSpan.FromSeconds(1));
        Assert.Equal(BarrierResult.Superseded, closed.Result);
        var opened = await kit.RunAsync(opening, Step, TimeSpan.FromSeconds(30));
        Assert.Equal(BarrierResult.Reached, opened.Result);
        Assert.Equal(BarrierPosition.Open, barrier.Position);
    }

    [Fact]
    public async Task OpenAsync_TargetSwitchSettlesBeforeTheOneTheArmLeft_ReachedNotConflicting()
    {
        // Travel shorter than the debounce, or the closed switch released late: for a moment both
        // switches read made. A healthy arm; after a restart this used to fault an exit barrier.
        using var kit = new HardwareTestKit();
        kit.Driver.SetInput(Options.OpenFeedbackPin, PinValue.High);
        kit.Driver.SetInput(Options.ClosedFeedbackPin, PinValue.Low);
        using var barrier = new GpioBarrier("lane1.barrier", kit.Controller, Options, kit.Time, shouldDispose: false);
        Assert.Equal(BarrierPosition.Closed, barrier.Position);

        var opening = barrier.OpenAsync(TestContext.Token);
        kit.Driver.SetInput(Options.OpenFeedbackPin, PinValue.Low);
        kit.Step(30);
        kit.Driver.SetInput(Options.ClosedFeedbackPin, PinValue.High);
        kit.Step(25);
        Assert.Equal(BarrierPosition.Conflicting, barrier.Position);
        var outcome = await kit.RunAsync(opening, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10));

        Assert.Equal(BarrierResult.Reached, outcome.Result);
        Assert.Equal(BarrierPosition.Open, barrier.Position);
        Assert.Equal(DeviceState.Ok, barrier.GetHealth().State);
    }
}
