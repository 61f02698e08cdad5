using System.Device.Gpio;
using System.Device.Spi;
using Iot.Device.CharacterLcd;
using Iot.Device.Mfrc522;
using Iot.Device.Pn532;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Gates;

/// <summary>Lane hardware settings beside the lot file (configuration section <c>Lanes</c>).</summary>
internal sealed class LaneHardwareOptions
{
    /// <summary>Serial 2D-code scanners per gate (<c>Lanes:Scanners:&lt;gateId&gt;=/dev/ttyACM0</c>; the lot file has no scanner member yet).</summary>
    public Dictionary<string, string> Scanners { get; } = new(StringComparer.Ordinal);

    /// <summary>How long a ticket printer may take to accept one write before it counts as off-line. Default 5 s (<see cref="EscPosPrinterOptions.WriteTimeout"/>).</summary>
    public TimeSpan PrinterWriteTimeout { get; set; } = new EscPosPrinterOptions().WriteTimeout;
}

/// <summary>
/// The real drivers of every lane, opened from the lot file's gate devices on the agent's
/// <see cref="HardwareBuses"/> (the Pi's GPIO chip, I2C buses, SPI, device files and serial ports, or
/// a test's simulated ones). A lane needs its loop, passage beam and barrier; a gate without them, or
/// whose GPIO cannot be opened, gets no lane (and a line in <see cref="Problems"/>, logged at start),
/// so a missing display, reader or loop B never stops the gate. Owns the drivers it opened; the buses
/// own the devices under them.
/// </summary>
internal sealed class LaneHardware : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<string, LaneDevices> _devices = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private readonly HardwareBuses _buses;

    private LaneHardware(HardwareBuses buses) => _buses = buses;

    public IReadOnlyCollection<string> GateIds => _devices.Keys;

    public IReadOnlyList<string> Problems => _problems;

    public LaneDevices Devices(string gateId) => _devices[gateId];

    public static LaneHardware Open(LotFile lot, LaneHardwareOptions options, HardwareBuses buses, TimeProvider time)
    {
        var hardware = new LaneHardware(buses);
        foreach (var gate in lot.Gates)
        {
            if (gate.Devices is not { Loop: { } loop, Beam: { } beam, Barrier: { } barrier } devices)
            {
                hardware._problems.Add($"gate {gate.Id} has no loop, beam and barrier in the lot file: no lane");
                continue;
            }

            try
            {
                var controller = buses.Gpio;
                var loopInput = hardware.Own(new DebouncedInput($"{gate.Id}.loop", DeviceKind.InductionLoop, controller, Input(loop), time, shouldDispose: false));
                var beamInput = hardware.Own(new DebouncedInput($"{gate.Id}.beam", DeviceKind.IrBeam, controller, Input(beam), time, shouldDispose: false));
                var passedLoop = devices.PassedLoop is { } b
                    ? hardware.Own(new DebouncedInput($"{gate.Id}.loop-b", DeviceKind.InductionLoop, controller, Input(b), time, shouldDispose: false))
                    : null;
                var arm = hardware.Own(new GpioBarrier($"{gate.Id}.barrier", controller, new GpioBarrierOptions
                {
                    RelayPin = barrier.RelayPin,
                    OpenFeedbackPin = barrier.OpenFeedbackPin,
                    ClosedFeedbackPin = barrier.ClosedFeedbackPin,
                    RelayActiveLow = barrier.RelayActiveLow,
                    MoveTimeout = barrier.TravelTimeout,
                }, time, shouldDispose: false));
                var display = hardware.Try(gate, "display", () => devices.Display is { } d ? hardware.OpenDisplay(gate.Id, d) : null)
                    ?? new HeadlessGateDisplay($"{gate.Id}.display");
                var printer = gate.Direction == GateDirection.Entry ? hardware.Try(gate, "printer", () => devices.Printer is { } p ? hardware.OpenPrinter(gate.Id, p, options.PrinterWriteTimeout, time) : null) : null;
                var reader = hardware.Try(gate, "NFC reader", () => devices.Nfc is { } n ? hardware.OpenReader(gate.Id, n, lot.PermitsByUid(), controller, time) : null);
                var scanner = options.Scanners.TryGetValue(gate.Id, out var port) ? hardware.Try(gate, "code scanner", () => new SerialCodeScanner(buses.OpenSerial(port, 9600))) : null;
                hardware._devices[gate.Id] = new LaneDevices(loopInput, beamInput, arm, display, printer, reader, scanner, passedLoop);
            }
            catch (Exception e)
            {
                // Any failure to open a gate's GPIO (no chip, no libgpiod, no permission, a pin in use)
                // leaves that gate without a lane; the agent and the other gates go on.
                hardware._problems.Add($"gate {gate.Id}: cannot open its GPIO ({e.GetType().Name}: {e.Message}): no lane");
            }
        }

        return hardware;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    /// <summary>Loops and beams are safety inputs: fail-safe pull (a cut wire reads "vehicle present").</summary>
    private static DebouncedInputOptions Input(DigitalInputDefinition input) =>
        DebouncedInputOptions.FailSafe(input.Pin, input.ActiveLow, input.StableTimeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

    private T? Try<T>(GateDefinition gate, string what, Func<T?> open)
        where T : class
    {
        try
        {
            return open();
        }
        catch (Exception e)
        {
            _problems.Add($"gate {gate.Id}: {what} unavailable ({e.Message}); the lane runs without it");
            return null;
        }
    }

    private T Own<T>(T device)
        where T : IDisposable
    {
        _owned.Add(device);
        return device;
    }

    private IGateDisplay OpenDisplay(string gateId, DisplayDefinition display)
    {
        var bus = _buses.OpenI2c(display.I2cBus, display.Address);
        return display.Type == DisplayType.Ssd1306
            ? Own(Ssd1306GateDisplay.Open($"{gateId}.display", bus))
            : Own(new CharacterLcdGateDisplay($"{gateId}.display", display.Rows >= 4 ? new Lcd2004(bus, false) : new Lcd1602(bus, false)));
    }

    private EscPosTicketPrinter OpenPrinter(string gateId, PrinterDefinition printer, TimeSpan writeTimeout, TimeProvider time)
    {
        var stream = printer.Device is { } device ? _buses.OpenDeviceFile(device) : _buses.OpenSerial(printer.SerialPort!, printer.BaudRate);
        return Own(new EscPosTicketPrinter($"{gateId}.printer", stream, new EscPosPrinterOptions { Columns = printer.Columns, WriteTimeout = writeTimeout }, time, shouldDispose: false));
    }

    private IPermitReader OpenReader(string gateId, NfcReaderDefinition nfc, IReadOnlyDictionary<string, string> permitsByUid, GpioController controller, TimeProvider time)
    {
        var id = $"{gateId}.nfc";
        if (nfc.Type == NfcReaderType.Pn532)
        {
            var pn532 = nfc.Bus switch
            {
                NfcBus.I2c => new Pn532(_buses.OpenI2c(nfc.I2cBus, nfc.Address ?? 0x24)),
                NfcBus.Uart => new Pn532(nfc.SerialPort!),
                _ => throw new ArgumentException("a PN532 on SPI is not wired to lanes yet; set its switches to I2C or HSU (UART)"),
            };
            return Own(new Pn532PermitReader(id, Own(pn532), permitsByUid, time, shouldDispose: false));
        }

        var spi = _buses.OpenSpi(new SpiConnectionSettings(nfc.SpiBus, nfc.ChipSelect ?? 0) { ClockFrequency = 10_000_000 });
        var mfrc522 = Own(new MfRc522(spi, nfc.ResetPin ?? -1, controller, shouldDispose: false));
        return Own(new Mfrc522PermitReader(id, mfrc522, permitsByUid, time, shouldDispose: false));
    }
}

/// <summary>A gate with no display (or one that cannot be opened): the lane still records and shows its lines to parkctl.</summary>
internal sealed class HeadlessGateDisplay(string id) : TextGateDisplay(id, 20, 4)
{
    protected override void Render(IReadOnlyList<string> lines)
    {
    }
}
