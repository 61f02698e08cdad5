using System.Device.Gpio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Gpio;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.Lots;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Agent;

/// <summary>
/// The agent's production composition (<see cref="AgentComposition.AddAgent"/> without
/// <c>--simulate</c>, exactly what Program.cs builds) on the demo lot's devices and pins, with a
/// <see cref="SimulatedGpioDriver"/> under the real <see cref="GpioController"/> and test streams for
/// the device files and serial ports. There is no I2C or SPI bus here, so the displays, NFC readers and
/// the VL53L0X cannot open: the agent must (and does) run without them. The world acts on the pins as
/// the wiring of hardware/wiring.md does: every loop and beam detector holds its pin low while clear.
/// </summary>
internal sealed class ProductionLot : IAsyncDisposable
{
    // Pins of hardware/lots/demo-lot.json.
    public const int EntryLoop = 5;
    public const int EntryLoopB = 6;
    public const int EntryBeam = 12;
    public const int ExitLoop = 19;
    public const int ExitLoopB = 26;
    public const int ExitBeam = 13;
    public const int SonarTrigger = 20;
    public const int SonarEcho = 21;

    private readonly TempDirectory _directory = new();
    private readonly List<IDisposable> _world = [];
    private IHost? _host;

    private ProductionLot(Stream entryPrinter)
    {
        EntryPrinterStream = entryPrinter;
        Driver = new SimulatedGpioDriver(TimeProvider.System);
        foreach (var pin in new[] { EntryLoop, EntryLoopB, EntryBeam, ExitLoop, ExitLoopB, ExitBeam })
        {
            Driver.SetInput(pin, PinValue.Low);
        }

        // The arms (relay 17/22, limit switches 18/23 and 24/25) and the HC-SR04 module of spot E001.
        _world.Add(new SimulatedBarrierMechanics(Driver, new GpioBarrierOptions { RelayPin = 17, OpenFeedbackPin = 18, ClosedFeedbackPin = 23 }, TimeProvider.System) { TravelTime = TimeSpan.FromMilliseconds(200) });
        _world.Add(new SimulatedBarrierMechanics(Driver, new GpioBarrierOptions { RelayPin = 22, OpenFeedbackPin = 24, ClosedFeedbackPin = 25 }, TimeProvider.System) { TravelTime = TimeSpan.FromMilliseconds(200) });
        Sonar = new SimulatedHcsr04Echo(Driver, SonarTrigger, SonarEcho) { DistanceMm = 2500 };
        _world.Add(Sonar);
        Buses = new HardwareBuses(
            () => new GpioController(Driver),
            settings => throw new IOException($"no I2C bus {settings.BusId} in this test"),
            settings => throw new IOException($"no SPI bus {settings.BusId} in this test"),
            path => path == "/dev/usb/lp0" ? EntryPrinterStream : throw new FileNotFoundException("no such device", path),
            (port, _) => port == "/dev/serial0" ? KioskPrinter : throw new IOException($"no serial port {port} in this test"));
    }

    public SimulatedGpioDriver Driver { get; }

    public HardwareBuses Buses { get; }

    /// <summary>What the entry printer's device file is (a simulated printer, or a dead one).</summary>
    public Stream EntryPrinterStream { get; }

    public SimulatedEscPosPrinter KioskPrinter { get; } = new();

    /// <summary>The HC-SR04 above spot E001 (sensor-E001); 2.5 m = an empty space.</summary>
    public SimulatedHcsr04Echo Sonar { get; }

    public MqttTestBroker Broker { get; private set; } = null!;

    public IServiceProvider Services => _host!.Services;

    public LedgerStore Ledger => Services.GetRequiredService<LedgerStore>();

    public LaneHardware Lanes => Services.GetRequiredService<LaneHardware>();

    public Lane Lane(string gateId) => Services.GetServices<Lane>().Single(l => l.GateId == gateId);

    /// <summary>Builds and starts the production composition on the demo lot; <paramref name="settings"/> adds configuration.</summary>
    public static async Task<ProductionLot> StartAsync(Stream? entryPrinter = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var lot = new ProductionLot(entryPrinter ?? new SimulatedEscPosPrinter());
        try
        {
            lot.Broker = await MqttTestBroker.StartAsync();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = lot._directory.Path });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Edge:LotFile"] = HardwareDemoLot.Write(lot._directory.Path),
                ["Edge:DataDirectory"] = lot._directory.File("data"),
                ["Edge:TimeQuality"] = "synced",
                ["Sync:Offline"] = "true",
                ["Sensors:Broker"] = $"127.0.0.1:{lot.Broker.Port}",
                ["Sensors:PollInterval"] = "00:00:00.100",
                ["Kiosk:Listen"] = "127.0.0.1:0",
                ["Control:Enabled"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            var lotFile = builder.AddLots();
            builder.AddAgent(lotFile, () => lot.Buses);
            lot._host = builder.Build();
            await lot._host.StartAsync(TestContext.Token);
            return lot;
        }
        catch
        {
            await lot.DisposeAsync();
            throw;
        }
    }

    /// <summary>Events of <paramref name="type"/> in the ledger so far, oldest first.</summary>
    public async Task<IReadOnlyList<ParkingLot.Shared.Contracts.LedgerEvent>> EventsAsync(string type) =>
        [.. (await Ledger.ReadAfterAsync(0, 10_000, TestContext.Token)).Where(e => e.Type == type)];

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            _host.Dispose();
        }
        else
        {
            Buses.Dispose();
        }

        foreach (var thing in _world)
        {
            thing.Dispose();
        }

        EntryPrinterStream.Dispose();
        KioskPrinter.Dispose();
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }

        _directory.Dispose();
    }
}
