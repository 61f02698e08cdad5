using ParkingLot.Edge.Hardware.Payment;
using ParkingLot.Shared;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class PulseAcceptorTests
{
    private const int Pin = 16;

    private static readonly PulseAcceptorOptions Options = new()
    {
        Pin = Pin,
        ValuePerPulse = new Money(50, "EUR"),
        StableTime = TimeSpan.FromMilliseconds(10),
        IdleTimeout = TimeSpan.FromMilliseconds(1500),
    };

    [Fact]
    public async Task CollectAsync_FivePulses_CreditsFiveTimesThePulseValue()
    {
        using var kit = new HardwareTestKit();
        using var acceptor = new PulseAcceptor("kiosk.coins", kit.Controller, Options, kit.Time, shouldDispose: false);
        var coins = new SimulatedPulseSource(kit.Driver, Pin, kit.Time);
        var payment = acceptor.CollectAsync(TestContext.Token);

        var emitted = coins.EmitAsync(5);
        kit.Step(500);
        await emitted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, acceptor.PendingPulses);
        Assert.False(payment.IsCompleted);
        kit.Step(1500);

        Assert.Equal(new Money(250, "EUR"), await payment.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, acceptor.PendingPulses);
    }

    [Fact]
    public async Task CollectAsync_BouncingContacts_CountsEachPulseOnce()
    {
        using var kit = new HardwareTestKit();
        using var acceptor = new PulseAcceptor("kiosk.coins", kit.Controller, Options, kit.Time, shouldDispose: false);
        var coins = new SimulatedPulseSource(kit.Driver, Pin, kit.Time) { Bounce = TimeSpan.FromMilliseconds(6) };
        var payment = acceptor.CollectAsync(TestContext.Token);

        var emitted = coins.EmitAsync(4);
        kit.Step(3000);
        await emitted.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new Money(200, "EUR"), await payment.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task PaymentsAsync_TwoBurstsSeparatedByIdle_AreTwoPayments()
    {
        using var kit = new HardwareTestKit();
        using var acceptor = new PulseAcceptor("kiosk.coins", kit.Controller, Options, kit.Time, shouldDispose: false);
        var coins = new SimulatedPulseSource(kit.Driver, Pin, kit.Time);
        var running = new List<Money>();
        acceptor.PulseCounted += (_, m) => running.Add(m);

        var first = coins.EmitAsync(2);
        kit.Step(2000);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        var second = coins.EmitAsync(4);
        kit.Step(2000);
        await second.WaitAsync(TimeSpan.FromSeconds(10));

        var payments = new List<Money>();
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var payment in acceptor.PaymentsAsync(bounded.Token))
        {
            payments.Add(payment);
            if (payments.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([new Money(100, "EUR"), new Money(200, "EUR")], payments);
        Assert.Equal([50, 100, 50, 100, 150, 200], running.Select(m => m.Minor));
    }

    [Fact]
    public void Glitch_ShorterThanStableTime_IsNotAPulse()
    {
        using var kit = new HardwareTestKit();
        using var acceptor = new PulseAcceptor("kiosk.coins", kit.Controller, Options, kit.Time, shouldDispose: false);

        kit.Driver.SetInput(Pin, System.Device.Gpio.PinValue.Low);
        kit.Advance(4);
        kit.Driver.SetInput(Pin, System.Device.Gpio.PinValue.High);
        kit.Advance(100);

        Assert.Equal(0, acceptor.PendingPulses);
    }
}
