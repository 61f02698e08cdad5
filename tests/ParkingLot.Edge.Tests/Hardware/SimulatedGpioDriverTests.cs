using System.Device.Gpio;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class SimulatedGpioDriverTests
{
    [Fact]
    public void Write_ThroughGpioController_IsLoggedAndVisibleAsLevel()
    {
        using var kit = new HardwareTestKit();
        kit.Controller.OpenPin(17, PinMode.Output);

        kit.Controller.Write(17, PinValue.High);
        kit.Advance(5);
        kit.Controller.Write(17, PinValue.Low);

        Assert.Equal(PinValue.Low, kit.Driver.GetLevel(17));
        var writes = kit.Driver.Writes.Where(w => w.Pin == 17).Select(w => (w.Value, w.At)).ToList();
        Assert.Equal(PinValue.High, writes[^2].Value);
        Assert.Equal(PinValue.Low, writes[^1].Value);
        Assert.Equal(TimeSpan.FromMilliseconds(5), writes[^1].At - writes[^2].At);
    }

    [Fact]
    public void SetInput_WithCallbackForFallingOnly_CallsBackOnFallingEdgeOnly()
    {
        using var kit = new HardwareTestKit();
        kit.Controller.OpenPin(5, PinMode.InputPullUp);
        var edges = new List<PinEventTypes>();
        kit.Controller.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling, (_, e) => edges.Add(e.ChangeType));

        Assert.Equal(PinValue.High, kit.Controller.Read(5));
        kit.Driver.SetInput(5, PinValue.Low);
        kit.Driver.SetInput(5, PinValue.Low);
        kit.Driver.SetInput(5, PinValue.High);

        Assert.Equal([PinEventTypes.Falling], edges);
        Assert.Equal(PinValue.High, kit.Controller.Read(5));
    }

    [Fact]
    public void ClosePin_RemovesCallbacks()
    {
        using var kit = new HardwareTestKit();
        kit.Controller.OpenPin(7, PinMode.Input);
        kit.Controller.RegisterCallbackForPinValueChangedEvent(7, PinEventTypes.Rising, (_, _) => { });
        Assert.Equal(1, kit.Driver.CallbackCount(7));

        kit.Controller.ClosePin(7);

        Assert.Equal(0, kit.Driver.CallbackCount(7));
        Assert.Null(kit.Driver.GetModeOrNull(7));
    }

    [Fact]
    public void SetInputSource_ReadsAskTheSource()
    {
        using var kit = new HardwareTestKit();
        kit.Controller.OpenPin(8, PinMode.Input);
        var reads = 0;
        kit.Driver.SetInputSource(8, () => ++reads % 2 == 0 ? PinValue.High : PinValue.Low);

        Assert.Equal(PinValue.Low, kit.Controller.Read(8));
        Assert.Equal(PinValue.High, kit.Controller.Read(8));
    }
}
