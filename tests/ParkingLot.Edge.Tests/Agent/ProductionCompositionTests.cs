using System.Device.Gpio;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Occupancy;
using ParkingLot.Edge.Tests.Hardware;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Agent;

/// <summary>
/// The production composition (no <c>--simulate</c>) on the demo lot over <c>SimulatedGpioDriver</c>:
/// what runs on a Pi reads the space sensors, loop B and the printer the lot file names, and the
/// lot's occupancy follows the sensors into the ledger.
/// </summary>
public sealed class ProductionCompositionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DemoLotOnHardware_ReadsSpotSensorsLoopBAndPrinter_AndOccupancyChanges()
    {
        await using var lot = await ProductionLot.StartAsync();
        var occupiedBefore = (await lot.Ledger.GetSpotsAsync(TestContext.Token)).Count(s => s.Occupied);

        // A third-party sensor on the local broker (spot A001) and the HC-SR04 above spot E001.
        await PublishAsync(lot, "sensor-A001", """{"occupied": true}""");
        lot.Sonar.DistanceMm = 900;
        await TestContext.WaitUntilAsync(
            async () => (await lot.Ledger.GetSpotsAsync(TestContext.Token)).Count(s => s.Occupied && s.SpotId is "A001" or "E001") == 2,
            Patience,
            "spots A001 (MQTT) and E001 (HC-SR04) occupied in the ledger");
        var changes = await lot.EventsAsync(EventTypes.OccupancyChanged);
        Assert.Contains(changes, e => e.Payload.GetProperty("spotId").GetString() == "A001");
        Assert.Contains(changes, e => e.Payload.GetProperty("spotId").GetString() == "E001");
        Assert.Equal(occupiedBefore + 2, (await lot.Ledger.GetSpotsAsync(TestContext.Token)).Count(s => s.Occupied));

        // The sonar sees the car leave: the spot is free again.
        lot.Sonar.DistanceMm = 2500;
        await TestContext.WaitUntilAsync(
            async () => !(await lot.Ledger.GetSpotsAsync(TestContext.Token)).Single(s => s.SpotId == "E001").Occupied,
            Patience,
            "spot E001 free again");

        // Loop B of the entry lane (GPIO 6) is opened and read.
        var loopB = lot.Lanes.Devices("entry-1").PassedLoop!;
        Assert.False(loopB.IsActive);
        lot.Driver.SetInput(ProductionLot.EntryLoopB, PinValue.High);
        await loopB.WaitForAsync(true, TestContext.Token);
        lot.Driver.SetInput(ProductionLot.EntryLoopB, PinValue.Low);
        await loopB.WaitForAsync(false, TestContext.Token);

        // A walk-in at the entry: the ticket comes out of the lot file's printer (/dev/usb/lp0).
        var entry = lot.Lane("entry-1");
        lot.Driver.SetInput(ProductionLot.EntryLoop, PinValue.High);
        await entry.WaitForAsync(s => s.State == LaneState.AwaitingCredential, TestContext.Token);
        entry.RequestTicket(VehicleType.Car);
        await entry.WaitForAsync(s => s.State == LaneState.Open, TestContext.Token);
        var printer = (SimulatedEscPosPrinter)lot.EntryPrinterStream;
        var ticket = Assert.Single(printer.Tickets);
        Assert.StartsWith("PL1.", Assert.Single(ticket.QrCodes), StringComparison.Ordinal);
        Assert.Single(await lot.EventsAsync(EventTypes.TicketIssued));
    }

    [Fact]
    public async Task DemoLotOnHardware_CutLoopOrBeamWire_ReadsVehiclePresent()
    {
        await using var lot = await ProductionLot.StartAsync();
        var devices = lot.Lanes.Devices("exit-1");
        Assert.False(devices.Passage.IsActive);
        Assert.False(devices.Loop.IsActive);

        // Nothing drives the pins any more: the pull-up wins, and that reads "blocked / present".
        lot.Driver.Disconnect(ProductionLot.ExitBeam);
        lot.Driver.Disconnect(ProductionLot.ExitLoopB);
        await devices.Passage.WaitForAsync(true, TestContext.Token);
        await devices.PassedLoop!.WaitForAsync(true, TestContext.Token);
    }

    [Fact]
    public async Task DeadEntryPrinter_TimesOutWithoutStallingTheExitLane()
    {
        using var dead = new DeadPrinterStream(blockWrites: true);
        await using var lot = await ProductionLot.StartAsync(dead, new Dictionary<string, string?> { ["Lanes:PrinterWriteTimeout"] = "00:00:10" });
        var entry = lot.Lane("entry-1");
        var exit = lot.Lane("exit-1");

        // A walk-in asks for a ticket; the printer swallows the write and never returns.
        lot.Driver.SetInput(ProductionLot.EntryLoop, PinValue.High);
        await entry.WaitForAsync(s => s.State == LaneState.AwaitingCredential, TestContext.Token);
        entry.RequestTicket(VehicleType.Car);
        await TestContext.WaitUntilAsync(() => Task.FromResult(dead.WritesStarted == 1), Patience, "the entry printer's stuck write");

        // Meanwhile a vehicle arrives at the exit: that lane takes it at once.
        lot.Driver.SetInput(ProductionLot.ExitLoop, PinValue.High);
        await exit.WaitForAsync(s => s.State == LaneState.AwaitingCredential, TestContext.Token);

        // The entry gives up on the printer and refuses walk-ins with a reason, instead of hanging.
        var refused = await entry.WaitForAsync(s => s.State == LaneState.Refused, TestContext.Token);
        Assert.Equal(LaneDecisions.NoTickets, refused.LastDecision);
        var exitDetected = (await lot.EventsAsync(EventTypes.LaneVehicleDetected)).Single(e => e.Payload.GetProperty("gateId").GetString() == "exit-1");
        var entryRefused = Assert.Single(await lot.EventsAsync(EventTypes.LaneRefused));
        Assert.True(exitDetected.Seq < entryRefused.Seq, $"the exit's vehicle (seq {exitDetected.Seq}) was handled while the entry waited for its printer (refused at seq {entryRefused.Seq})");
        Assert.Single(await lot.EventsAsync(EventTypes.GateFault));
        Assert.Equal(1, dead.WritesStarted);
    }

    private static async Task PublishAsync(ProductionLot lot, string sensorId, string json)
    {
        var subscriber = lot.Services.GetRequiredService<MqttSensorSubscriber>();
        await TestContext.WaitUntilAsync(() => Task.FromResult(subscriber.IsSubscribed), Patience, "the sensor subscriber on the local broker");
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", lot.Broker.Port).WithClientId($"bridge-{Guid.NewGuid():N}").Build(), TestContext.Token);
        await client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(Topics.Sensor("demo-lot", sensorId)).WithPayload(Encoding.UTF8.GetBytes(json)).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Token);
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), TestContext.Token);
    }
}
