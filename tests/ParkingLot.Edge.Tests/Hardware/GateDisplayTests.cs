using System.Device.I2c;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Shared;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class GateDisplayTests
{
    public static TheoryData<string, string[]> Messages16x2 => new()
    {
        { "welcome", ["    Welcome     ", " Central Garage "] },
        { "full", ["    Lot full    ", " No spaces free "] },
        { "reserved", [" Reserved only  ", "  Passes only   "] },
        { "fee", ["   Fee to pay   ", "   12.50 EUR    "] },
        { "refused", ["  Pass refused  ", "    Expired     "] },
        { "error", ["  Out of order  ", " Printer empty  "] },
    };

    [Theory]
    [MemberData(nameof(Messages16x2))]
    public void Format_16x2_EachMessageCentredAndCut(string key, string[] expected)
    {
        var lines = GateMessageLayout.Format(Message(key), 16, 2);

        Assert.Equal(expected, lines);
    }

    [Fact]
    public void Format_20x4_LongDetailWrapsOverThreeRowsThenIsCut()
    {
        var message = new GateMessage.PassRefused("This permit is valid only on weekdays between 07:00 and 19:00 in zone B");

        var lines = GateMessageLayout.Format(message, 20, 4);

        Assert.Equal(
        [
            "    Pass refused    ",
            "This permit is valid",
            "  only on weekdays  ",
            " between 07:00 and  ",
        ], lines);
    }

    [Fact]
    public void Format_WordLongerThanRow_IsCutAndNonAsciiReplaced()
    {
        var lines = GateMessageLayout.Format(new GateMessage.Welcome("Parkhaus-Großmarkthalle"), 16, 2);

        Assert.Equal("Parkhaus-Gro?mar", lines[1]);
        Assert.All(lines, l => Assert.Equal(16, l.Length));
    }

    [Fact]
    public async Task CharacterLcdGateDisplay_ShowsMessageOnTheLcdGrid()
    {
        var lcd = new SimulatedCharacterLcd(16, 2);
        using var display = new CharacterLcdGateDisplay("E1.display", lcd, shouldDispose: false);

        await display.ShowAsync(new GateMessage.Welcome("Central Garage"), TestContext.Token);
        await display.ShowAsync(new GateMessage.Fee(new Money(350, "EUR")), TestContext.Token);

        Assert.Equal(["   Fee to pay   ", "    3.50 EUR    "], lcd.Lines);
        Assert.Equal(lcd.Lines, display.CurrentLines);
        Assert.True(lcd.BacklightOn);
    }

    [Fact]
    public async Task SimulatedGateDisplay_20x4_RecordsFourLines()
    {
        var display = new SimulatedGateDisplay("X1.display", 20, 4);

        await display.ShowAsync(new GateMessage.LotFull(), TestContext.Token);

        Assert.Equal(
        [
            "      Lot full      ",
            "   No spaces free   ",
            "                    ",
            "                    ",
        ], display.CurrentLines);
    }

    [Fact]
    public void RenderFrame_Text_SetsPixelsOnlyInTheTextRowsPages()
    {
        var frame = Ssd1306GateDisplay.RenderFrame(["L", "", "", ""], 128, 32);

        // 'L' in Font5x8: a vertical stroke in column 0 (rows 0-6) and a foot on row 6.
        Assert.Equal(0b0111_1111, frame[0]);
        Assert.Equal(0b0100_0000, frame[1]);
        Assert.Equal(0, frame[5]);
        Assert.All(frame.Skip(128), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Ssd1306GateDisplay_ShowAsync_SendsTheRenderedFrameOverI2c()
    {
        var bus = new RecordingI2cDevice();
        using var display = Ssd1306GateDisplay.Open("E1.oled", bus, 128, 32);
        bus.Writes.Clear();

        await display.ShowAsync(new GateMessage.LotFull(), TestContext.Token);

        var frame = Ssd1306GateDisplay.RenderFrame(display.CurrentLines, 128, 32);
        var data = bus.Writes.Where(w => w[0] == 0x40).SelectMany(w => w.Skip(1)).ToArray();
        Assert.Equal(frame, data);
        Assert.Equal(21, display.Columns);
        Assert.Equal(DeviceState.Ok, display.GetHealth().State);
    }

    [Fact]
    public async Task Ssd1306GateDisplay_BusError_ReportsFaultedButKeepsLines()
    {
        var bus = new RecordingI2cDevice();
        using var display = Ssd1306GateDisplay.Open("E1.oled", bus, 128, 32);
        bus.Fail = true;

        await display.ShowAsync(new GateMessage.LotFull(), TestContext.Token);

        Assert.Equal(DeviceState.Faulted, display.GetHealth().State);
        Assert.Contains("Lot full", display.CurrentLines[0], StringComparison.Ordinal);
    }

    private static GateMessage Message(string key) => key switch
    {
        "welcome" => new GateMessage.Welcome("Central Garage"),
        "full" => new GateMessage.LotFull(),
        "reserved" => new GateMessage.ReservedOnly(),
        "fee" => new GateMessage.Fee(new Money(1250, "EUR")),
        "refused" => new GateMessage.PassRefused("Expired"),
        "error" => new GateMessage.Error("Printer empty"),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    /// <summary>An I2C device that keeps every write (the SSD1306 never reads).</summary>
    private sealed class RecordingI2cDevice : I2cDevice
    {
        public List<byte[]> Writes { get; } = [];

        public bool Fail { get; set; }

        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x3C);

        public override void Read(Span<byte> buffer) => buffer.Clear();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Fail)
            {
                throw new IOException("Error 121 performing I2C data transfer.");
            }

            Writes.Add(buffer.ToArray());
        }

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            Write(writeBuffer);
            readBuffer.Clear();
        }
    }
}
