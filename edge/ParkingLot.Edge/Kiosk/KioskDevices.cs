using System.Device.Gpio;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Gpio;
using ParkingLot.Edge.Hardware.Payment;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Shared;

namespace ParkingLot.Edge.Kiosk;

/// <summary>
/// The kiosk's payment hardware as the lot file describes it: the coin acceptor on its GPIO, the card
/// terminal, the receipt printer. With <c>--simulate</c> the same drivers run over simulated
/// hardware (a <see cref="SimulatedGpioDriver"/> under a real <see cref="GpioController"/>, a
/// <see cref="SimulatedEscPosPrinter"/> byte stream). A device that cannot be opened is logged and left
/// out; the kiosk then offers what still works.
/// </summary>
internal sealed class KioskDevices : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private KioskDevices()
    {
    }

    public PulseAcceptor? Acceptor { get; private set; }

    public ICardTerminal? Terminal { get; private set; }

    public ITicketPrinter? Printer { get; private set; }

    public int Columns { get; private set; } = 32;

    public KioskSimulation? Simulation { get; private set; }

    /// <summary>The simulated printer's parsed output (simulation only), for the page's tests and the demo.</summary>
    public SimulatedEscPosPrinter? SimulatedPrinter { get; private set; }

    /// <summary>Opens the kiosk's devices on <paramref name="hardware"/>, or simulated ones when it is null (<c>--simulate</c>).</summary>
    public static KioskDevices Open(KioskDefinition kiosk, string currency, HardwareBuses? hardware, TimeProvider time, ILogger logger)
    {
        var simulate = hardware is null;
        var devices = new KioskDevices();
        devices.Terminal = kiosk.CardTerminal?.Type switch
        {
            CardTerminalType.Simulated => new SimulatedCardTerminal(),
            _ => null,
        };

        if (kiosk.Printer is { } printer)
        {
            devices.Columns = printer.Columns;
            devices.Printer = hardware is null ? devices.SimulatedReceiptPrinter(printer, time) : devices.OpenPrinter(hardware, printer, time, logger);
        }

        if (kiosk.CoinAcceptor is { } coins)
        {
            var options = new PulseAcceptorOptions { Pin = coins.Pin, ValuePerPulse = new Money(coins.PulseValue, currency), ActiveLow = coins.ActiveLow };
            if (hardware is null)
            {
                var driver = new SimulatedGpioDriver(time);
                var controller = devices.Own(new GpioController(driver));
                devices.Acceptor = devices.Own(new PulseAcceptor("kiosk.coins", controller, options, time, shouldDispose: false));
                devices.Simulation = new KioskSimulation(new SimulatedPulseSource(driver, coins.Pin, time, coins.ActiveLow), devices.Terminal as SimulatedCardTerminal);
            }
            else
            {
                devices.Acceptor = devices.OpenAcceptor(hardware, options, time, logger);
            }
        }

        if (simulate && devices.Simulation is null)
        {
            devices.Simulation = new KioskSimulation(null, devices.Terminal as SimulatedCardTerminal);
        }

        return devices;
    }

    /// <summary>For tests: the devices given, owned by the caller.</summary>
    public static KioskDevices Of(PulseAcceptor? acceptor, ICardTerminal? terminal, ITicketPrinter? printer, KioskSimulation? simulation, int columns = 32) =>
        new() { Acceptor = acceptor, Terminal = terminal, Printer = printer, Simulation = simulation, Columns = columns };

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private T Own<T>(T device)
        where T : IDisposable
    {
        _owned.Add(device);
        return device;
    }

    private EscPosTicketPrinter SimulatedReceiptPrinter(PrinterDefinition printer, TimeProvider time)
    {
        SimulatedPrinter = Own(new SimulatedEscPosPrinter());
        return Own(new EscPosTicketPrinter("kiosk.printer", SimulatedPrinter, new EscPosPrinterOptions { Columns = printer.Columns }, time, shouldDispose: false));
    }

    private EscPosTicketPrinter? OpenPrinter(HardwareBuses hardware, PrinterDefinition printer, TimeProvider time, ILogger logger)
    {
        try
        {
            var stream = printer.Device is { } device ? hardware.OpenDeviceFile(device) : hardware.OpenSerial(printer.SerialPort!, printer.BaudRate);

            return Own(new EscPosTicketPrinter("kiosk.printer", stream, new EscPosPrinterOptions { Columns = printer.Columns }, time, shouldDispose: false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Log.KioskDeviceUnavailable(logger, "receipt printer " + (printer.Device ?? printer.SerialPort), ex.Message);
            return null;
        }
    }

    private PulseAcceptor? OpenAcceptor(HardwareBuses hardware, PulseAcceptorOptions options, TimeProvider time, ILogger logger)
    {
        try
        {
            return Own(new PulseAcceptor("kiosk.coins", hardware.Gpio, options, time, shouldDispose: false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException)
        {
            Log.KioskDeviceUnavailable(logger, $"coin acceptor on GPIO {options.Pin}", ex.Message);
            return null;
        }
    }
}
