using System.Net;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Lots;

internal static partial class LotFileLoader
{
    /// <summary>Serial devices that are the header UART, GPIO 14 (TXD) and 15 (RXD).</summary>
    private static readonly string[] HeaderUarts = ["/dev/serial0", "/dev/ttyAMA0", "/dev/ttyS0"];

    /// <summary>Parses a kiosk <c>listen</c> value: an IP literal and a port 1-65535 (Kestrel binds addresses, not names).</summary>
    public static bool TryParseListen(string? text, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (text is null || !IPEndPoint.TryParse(text, out var parsed) || parsed.Port is < 1 or > 65535 || !text.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        endpoint = parsed;
        return true;
    }

    /// <summary>
    /// Device rules a schema cannot express: each GPIO used once on the Pi (including the pins a bus
    /// in use takes: I2C, SPI, the header UART), each I2C address once per bus, each printer device
    /// once, sensors attached to identifiable spots, the kiosk address, permit cards.
    /// </summary>
    private static void ValidateDevices(LotFile lot, LotSpotSensors sensors, Action<string, string> problem)
    {
        var pins = new PinMap(problem);
        var addresses = new Dictionary<(int Bus, int Address), string>();
        var devices = new Dictionary<string, string>(StringComparer.Ordinal);

        void I2c(int bus, int address, string path)
        {
            pins.ClaimBus(bus == 0 ? [0, 1] : bus == 1 ? [2, 3] : [], $"I2C bus {bus}", path);
            if (!addresses.TryAdd((bus, address), path))
            {
                problem(path + ".address", Invariant($"I2C address {address} (0x{address:X2}) on bus {bus} is already used by {addresses[(bus, address)]}"));
            }
        }

        void Serial(string port, string path)
        {
            if (!devices.TryAdd(port, path))
            {
                problem(path, $"{port} is already used by {devices[port]}");
            }

            if (HeaderUarts.Contains(port, StringComparer.Ordinal))
            {
                pins.ClaimBus([14, 15], "the header UART", path);
            }
        }

        void Printer(PrinterDefinition? printer, string path)
        {
            if (printer?.Device is { } device)
            {
                Serial(device, path + ".device");
            }

            if (printer?.SerialPort is { } port)
            {
                Serial(port, path + ".serialPort");
            }
        }

        for (var g = 0; g < lot.Gates.Count; g++)
        {
            if (lot.Gates[g].Devices is not { } d)
            {
                continue;
            }

            var path = Invariant($"$.gates[{g}].devices");
            if (d.Loop is { } loop)
            {
                pins.Claim(loop.Pin, path + ".loop.pin");
            }

            if (d.PassedLoop is { } passed)
            {
                pins.Claim(passed.Pin, path + ".passedLoop.pin");
            }

            if (d.Beam is { } beam)
            {
                pins.Claim(beam.Pin, path + ".beam.pin");
            }

            if (d.Barrier is { } barrier)
            {
                pins.Claim(barrier.RelayPin, path + ".barrier.relayPin");
                pins.Claim(barrier.OpenFeedbackPin, path + ".barrier.openFeedbackPin");
                pins.Claim(barrier.ClosedFeedbackPin, path + ".barrier.closedFeedbackPin");
            }

            Printer(d.Printer, path + ".printer");
            if (d.Display is { } display)
            {
                I2c(display.I2cBus, display.Address, path + ".display");
            }

            if (d.Nfc is { } nfc)
            {
                var nfcPath = path + ".nfc";
                switch (nfc.Bus)
                {
                    case NfcBus.I2c when nfc.Address is { } address:
                        I2c(nfc.I2cBus, address, nfcPath);
                        break;
                    case NfcBus.Spi when nfc.ChipSelect is { } chipSelect:
                        ClaimSpi(pins, nfc.SpiBus, chipSelect, nfcPath);
                        break;
                    case NfcBus.Uart when nfc.SerialPort is { } port:
                        Serial(port, nfcPath + ".serialPort");
                        break;
                    default:
                        break;
                }

                if (nfc.ResetPin is { } reset)
                {
                    pins.Claim(reset, nfcPath + ".resetPin");
                }
            }
        }

        for (var i = 0; i < sensors.Spots.Count; i++)
        {
            var spot = sensors.Spots[i];
            if (spot.Sensor is not { } sensor)
            {
                continue;
            }

            var path = Invariant($"$.spots[{i}].sensor");
            if (string.IsNullOrEmpty(spot.SensorId))
            {
                problem(path, "a spot with a sensor needs a sensorId (its id in occupancy events and its MQTT topic)");
            }

            switch (sensor.Kind)
            {
                case SensorKind.Gpio when sensor.Pin is { } pin:
                    pins.Claim(pin, path + ".pin");
                    break;
                case SensorKind.Hcsr04 when sensor.TriggerPin is { } trigger && sensor.EchoPin is { } echo:
                    pins.Claim(trigger, path + ".triggerPin");
                    pins.Claim(echo, path + ".echoPin");
                    break;
                case SensorKind.Vl53l0x when sensor.Address is { } address:
                    I2c(sensor.I2cBus, address, path);
                    break;
                default:
                    break;
            }
        }

        if (lot.Kiosk is { } kiosk)
        {
            if (!TryParseListen(kiosk.Listen, out _))
            {
                problem("$.kiosk.listen", $"'{kiosk.Listen}' is not ip:port (e.g. {KioskDefinition.DefaultListen}, or 0.0.0.0:8088 for a separate touchscreen)");
            }

            if (kiosk.CoinAcceptor is { } coins)
            {
                pins.Claim(coins.Pin, "$.kiosk.coinAcceptor.pin");
            }

            Printer(kiosk.Printer, "$.kiosk.printer");
        }

        ValidatePermits(lot, problem);
    }

    /// <summary>
    /// A simulated card terminal approves every amount without taking money: on hardware (no
    /// <c>--simulate</c>) it would open the exit for free, so it is refused there. Until a real terminal
    /// driver exists, hardware lots say <c>none</c>.
    /// </summary>
    private static void ValidateUse(LotFile lot, LotFileUse use, Action<string, string> problem)
    {
        if (use == LotFileUse.Hardware && lot.Kiosk?.CardTerminal?.Type == CardTerminalType.Simulated)
        {
            problem("$.kiosk.cardTerminal.type", "a simulated card terminal takes no money and is refused on hardware: run the agent with --simulate, or set \"none\" (no real terminal driver exists yet)");
        }
    }

    private static void ClaimSpi(PinMap pins, int bus, int chipSelect, string path)
    {
        // BCM numbers of SPI0 (MISO, MOSI, SCLK; CE0, CE1) and SPI1 (MISO, MOSI, SCLK; CE0-CE2).
        int[] shared = bus switch { 0 => [9, 10, 11], 1 => [19, 20, 21], _ => [] };
        int[] selects = bus switch { 0 => [8, 7], 1 => [18, 17, 16], _ => [] };
        pins.ClaimBus(shared, $"SPI bus {bus}", path);
        if (chipSelect < selects.Length)
        {
            pins.Claim(selects[chipSelect], path + ".chipSelect");
        }
    }

    private static void ValidatePermits(LotFile lot, Action<string, string> problem)
    {
        var cards = new Dictionary<string, int>(StringComparer.Ordinal);
        var permits = lot.Permits ?? [];
        for (var i = 0; i < permits.Count; i++)
        {
            var permit = permits[i];
            if (!cards.TryAdd(permit.CardUid.ToUpperInvariant(), i))
            {
                problem(Invariant($"$.permits[{i}].cardUid"), Invariant($"card {permit.CardUid} is already the card of $.permits[{cards[permit.CardUid.ToUpperInvariant()]}]"));
            }

            if (!lot.Tariff.VehicleTypes.ContainsKey(permit.VehicleType))
            {
                problem(Invariant($"$.permits[{i}].vehicleType"), $"the tariff has no price for '{VehicleTypeName(permit.VehicleType)}', so the lot has no room for it");
            }
        }
    }

    /// <summary>Who holds each BCM GPIO: a device member, or a bus that devices share.</summary>
    private sealed class PinMap(Action<string, string> problem)
    {
        private readonly Dictionary<int, (string Path, string? Bus)> _pins = [];

        public void Claim(int pin, string path)
        {
            if (_pins.TryGetValue(pin, out var holder))
            {
                problem(path, holder.Bus is null
                    ? Invariant($"GPIO {pin} is already used by {holder.Path}")
                    : Invariant($"GPIO {pin} belongs to {holder.Bus}, which {holder.Path} uses"));
                return;
            }

            _pins[pin] = (path, null);
        }

        public void ClaimBus(IEnumerable<int> busPins, string bus, string path)
        {
            foreach (var pin in busPins)
            {
                if (_pins.TryGetValue(pin, out var holder))
                {
                    if (!string.Equals(holder.Bus, bus, StringComparison.Ordinal))
                    {
                        problem(path, Invariant($"GPIO {pin} is needed by {bus} for {path} but {holder.Path} uses it"));
                    }

                    continue;
                }

                _pins[pin] = (path, bus);
            }
        }
    }
}
