using System.Text.Json;
using System.Text.Json.Serialization;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Lots;

// The device members of a lot file (hardware/lot.schema.json describes each one for technicians).
// Pins are BCM GPIO numbers of the Raspberry Pi header; I2C addresses are 7-bit, written in decimal
// in JSON (39 = 0x27). Every member is optional so that a lot without hardware (the simulator, a
// test) still loads; the drivers check that what they need is there.

/// <summary>The devices of one gate lane (hardware/wiring.md shows a two-lane lot).</summary>
/// <param name="Loop">Loop detector A in front of the barrier: a vehicle is at the gate.</param>
/// <param name="PassedLoop">Loop detector B behind the barrier: the vehicle has passed.</param>
/// <param name="Beam">IR safety beam under the arm: broken while anything is beneath it.</param>
internal sealed record GateDevices(
    DigitalInputDefinition? Loop = null,
    DigitalInputDefinition? PassedLoop = null,
    DigitalInputDefinition? Beam = null,
    BarrierDefinition? Barrier = null,
    PrinterDefinition? Printer = null,
    DisplayDefinition? Display = null,
    NfcReaderDefinition? Nfc = null);

/// <summary>
/// A debounced GPIO safety input: an induction-loop detector relay, an IR passage beam. Wired fail-safe
/// (hardware/wiring.md): the detector's normally-closed contact holds the pin at the inactive level
/// while the loop or beam is clear, and the Pi's pull resistor pulls toward the active level, so a cut
/// wire, a dead detector or a lost contact reads "vehicle present / beam blocked" and the arm stays up.
/// </summary>
/// <param name="Pin">BCM GPIO.</param>
/// <param name="ActiveLow">
/// False (the default) for the fail-safe wiring above: the NC contact to ground holds the pin low while
/// clear, the pull-up raises it when a vehicle opens the contact or the wire is cut. True only for a
/// detector that drives the pin high while clear (the pull-down then makes an open circuit read active).
/// </param>
/// <param name="StableTimeMs">Debounce; null for the driver's default.</param>
internal sealed record DigitalInputDefinition(int Pin, bool ActiveLow = false, int? StableTimeMs = null);

/// <summary>A barrier arm: one relay output and two limit-switch inputs.</summary>
/// <param name="RelayPin">BCM GPIO driving the relay that holds the arm open.</param>
/// <param name="OpenFeedbackPin">Limit switch "arm up".</param>
/// <param name="ClosedFeedbackPin">Limit switch "arm down".</param>
/// <param name="RelayActiveLow">True for relay boards that energise on a low input. Default true.</param>
/// <param name="TravelTimeoutMs">A move not confirmed by its limit switch within this is a barrier fault. Default 6000.</param>
internal sealed record BarrierDefinition(int RelayPin, int OpenFeedbackPin, int ClosedFeedbackPin, bool RelayActiveLow = true, int TravelTimeoutMs = 6000)
{
    public TimeSpan TravelTimeout => TimeSpan.FromMilliseconds(TravelTimeoutMs);
}

/// <summary>An ESC/POS thermal printer on a device file (USB printer class) or a serial port; exactly one of the two.</summary>
/// <param name="Device">e.g. /dev/usb/lp0.</param>
/// <param name="SerialPort">e.g. /dev/serial0 (the header UART, GPIO 14/15) or /dev/ttyUSB0.</param>
/// <param name="BaudRate">Serial speed. Default 19200, the factory setting of most receipt printers.</param>
/// <param name="Columns">Characters per line in font A: 32 on 58 mm paper, 48 on 80 mm. Default 32.</param>
internal sealed record PrinterDefinition(string? Device = null, string? SerialPort = null, int BaudRate = 19200, int Columns = 32);

/// <summary>Kind of gate display.</summary>
internal enum DisplayType
{
    /// <summary>HD44780 character LCD behind a PCF8574 I2C backpack.</summary>
    Lcd,

    /// <summary>SSD1306 monochrome OLED on I2C.</summary>
    Ssd1306,
}

/// <summary>The gate display on an I2C bus.</summary>
/// <param name="Type">lcd or ssd1306.</param>
/// <param name="Address">7-bit I2C address (PCF8574 backpacks: 39 = 0x27; SSD1306: 60 = 0x3C).</param>
/// <param name="I2cBus">Bus number (/dev/i2c-N). Default 1, the header's GPIO 2/3.</param>
/// <param name="Columns">LCD characters per row. Default 16.</param>
/// <param name="Rows">LCD rows. Default 2.</param>
internal sealed record DisplayDefinition(DisplayType Type, int Address, int I2cBus = 1, int Columns = 16, int Rows = 2);

/// <summary>NFC reader chip for permit cards.</summary>
internal enum NfcReaderType
{
    Pn532,
    Mfrc522,
}

/// <summary>How an NFC reader is attached.</summary>
internal enum NfcBus
{
    I2c,
    Spi,
    Uart,
}

/// <summary>An NFC permit-card reader; which members are needed depends on <see cref="Bus"/>.</summary>
/// <param name="Type">pn532 or mfrc522.</param>
/// <param name="Bus">i2c (Address, I2cBus), spi (SpiBus, ChipSelect) or uart (SerialPort).</param>
/// <param name="ResetPin">Optional BCM GPIO wired to the chip's reset line.</param>
internal sealed record NfcReaderDefinition(
    NfcReaderType Type,
    NfcBus Bus,
    int? Address = null,
    int I2cBus = 1,
    int SpiBus = 0,
    int? ChipSelect = null,
    string? SerialPort = null,
    int? ResetPin = null);

/// <summary>Kind of space sensor.</summary>
internal enum SensorKind
{
    /// <summary>A switch output (magnetic or IR presence sensor) on one GPIO.</summary>
    Gpio,

    /// <summary>HC-SR04 ultrasonic ranger: trigger and echo GPIOs.</summary>
    Hcsr04,

    /// <summary>VL53L0X time-of-flight ranger on I2C.</summary>
    Vl53l0x,

    /// <summary>A third-party sensor publishing on the lot's MQTT broker under its sensor id.</summary>
    Mqtt,
}

/// <summary>The sensor watching one spot; which members are needed depends on <see cref="Kind"/>.</summary>
/// <param name="Kind">gpio (Pin), hcsr04 (TriggerPin, EchoPin), vl53l0x (Address, I2cBus) or mqtt (nothing: the topic is the spot's sensorId).</param>
/// <param name="OccupiedBelowMm">Ranging sensors: a reading below this means a vehicle. Null for the driver's default.</param>
internal sealed record SpotSensorDefinition(
    SensorKind Kind,
    int? Pin = null,
    bool ActiveLow = true,
    int? TriggerPin = null,
    int? EchoPin = null,
    int? Address = null,
    int I2cBus = 1,
    int? OccupiedBelowMm = null);

/// <summary>The pay kiosk: where its page is served and which payment devices it has.</summary>
/// <param name="Listen">Kestrel endpoint <c>ip:port</c>. Default 127.0.0.1:8088 (the kiosk's own touchscreen browser).</param>
/// <param name="CoinAcceptor">Coin/bill acceptor in pulse mode; null = no cash.</param>
/// <param name="CardTerminal">Card terminal; null = no card payments.</param>
/// <param name="Printer">Receipt printer; null = no receipts.</param>
internal sealed record KioskDefinition(
    string Listen = KioskDefinition.DefaultListen,
    CoinAcceptorDefinition? CoinAcceptor = null,
    CardTerminalDefinition? CardTerminal = null,
    PrinterDefinition? Printer = null)
{
    public const string DefaultListen = "127.0.0.1:8088";
}

/// <summary>A coin/bill acceptor's pulse output.</summary>
/// <param name="Pin">BCM GPIO of the COIN/credit line.</param>
/// <param name="PulseValue">What one pulse is worth, in minor units of the lot currency (e.g. 50 = 0.50 EUR).</param>
/// <param name="ActiveLow">Open-collector output against a pull-up: a pulse is low. Default true.</param>
internal sealed record CoinAcceptorDefinition(int Pin, long PulseValue, bool ActiveLow = true);

/// <summary>Card terminal integrations the agent has.</summary>
internal enum CardTerminalType
{
    /// <summary>No card payments at this kiosk.</summary>
    None,

    /// <summary>A simulated terminal that approves (or declines on request): demo lots and tests.</summary>
    Simulated,
}

/// <summary>The kiosk's card terminal. The terminal owns the card; the agent only sees an authorisation reference (I8).</summary>
internal sealed record CardTerminalDefinition(CardTerminalType Type);

/// <summary>A permit card: its NFC UID (upper-case hex) admits the holder's vehicle type until <see cref="ValidUntil"/>.</summary>
internal sealed record PermitDefinition(string CardUid, string PermitId, VehicleType VehicleType, DateTimeOffset ValidUntil);

/// <summary>JSON shape of the spots' sensors, read beside <see cref="LotFile"/> (whose spots are the shared <see cref="SpotDescription"/>).</summary>
internal sealed record LotSpotSensors(IReadOnlyList<LotSpotSensors.Spot> Spots)
{
    internal sealed record Spot(string Id, string? SensorId = null, SpotSensorDefinition? Sensor = null);
}

/// <summary>Enum members are written in lower case in lot files ("ssd1306", "pn532").</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(LotSpotSensors))]
internal sealed partial class LotDevicesJsonContext : JsonSerializerContext
{
}
