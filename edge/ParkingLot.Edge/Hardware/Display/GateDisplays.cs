using System.Device.I2c;
using System.Drawing;
using Iot.Device.CharacterLcd;
using Iot.Device.Graphics;
using Iot.Device.Ssd13xx;
using Iot.Device.Ssd13xx.Commands;
using Ssd1306Cmd = Iot.Device.Ssd13xx.Commands.Ssd1306Commands;

namespace ParkingLot.Edge.Hardware.Display;

/// <summary>The text display at a gate.</summary>
internal interface IGateDisplay : IReportsHealth
{
    /// <summary>The lines shown now (after layout), for `parkctl gates` and tests.</summary>
    IReadOnlyList<string> CurrentLines { get; }

    Task ShowAsync(GateMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// The part every text display shares: layout, one update at a time, and health from the last
/// write. A bus error (a loose I2C cable) marks the display faulted rather than failing the lane:
/// the gate still works without its display.
/// </summary>
internal abstract class TextGateDisplay(string id, int columns, int rows) : IGateDisplay
{
    private readonly object _gate = new();
    private IReadOnlyList<string> _lines = [];
    private string? _lastError;

    public string Id { get; } = id;

    public int Columns { get; } = columns;

    public int Rows { get; } = rows;

    public IReadOnlyList<string> CurrentLines
    {
        get
        {
            lock (_gate)
            {
                return _lines;
            }
        }
    }

    public Task ShowAsync(GateMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var lines = GateMessageLayout.Format(message, Columns, Rows);
        lock (_gate)
        {
            try
            {
                Render(lines);
                _lastError = null;
            }
            catch (IOException e)
            {
                _lastError = e.Message;
            }

            _lines = lines;
        }

        return Task.CompletedTask;
    }

    public DeviceHealth GetHealth()
    {
        lock (_gate)
        {
            return _lastError is null
                ? DeviceHealth.Ok(Id, DeviceKind.Display, $"{Columns}x{Rows}")
                : new DeviceHealth(Id, DeviceKind.Display, DeviceState.Faulted, $"write failed: {_lastError}", "check the display's I2C cable and address (`i2cdetect -y 1`)");
        }
    }

    /// <summary>Puts exactly <see cref="Rows"/> lines of exactly <see cref="Columns"/> characters on the glass.</summary>
    protected abstract void Render(IReadOnlyList<string> lines);
}

/// <summary>
/// An HD44780 character LCD (16×2 or 20×4) through Iot.Device.CharacterLcd: over a PCF8574 I2C
/// backpack (<c>new Lcd1602(i2cDevice, false)</c> / <c>Lcd2004</c>) or parallel GPIO. Rows are
/// overwritten in place rather than cleared: Clear takes 1.52 ms (HD44780U datasheet, table 6)
/// and makes the text flicker.
/// </summary>
internal sealed class CharacterLcdGateDisplay : TextGateDisplay, IDisposable
{
    private readonly ICharacterLcd _lcd;
    private readonly bool _shouldDispose;

    public CharacterLcdGateDisplay(string id, ICharacterLcd lcd, bool shouldDispose = true)
        : base(id, lcd.Size.Width, lcd.Size.Height)
    {
        _lcd = lcd;
        _shouldDispose = shouldDispose;
        _lcd.UnderlineCursorVisible = false;
        _lcd.BlinkingCursorVisible = false;
        _lcd.BacklightOn = true;
        _lcd.Clear();
    }

    public void Dispose()
    {
        if (_shouldDispose)
        {
            _lcd.Dispose();
        }
    }

    protected override void Render(IReadOnlyList<string> lines)
    {
        for (var row = 0; row < lines.Count; row++)
        {
            _lcd.SetCursorPosition(0, row);
            _lcd.Write(lines[row]);
        }
    }
}

/// <summary>
/// The simulated twin of an HD44780: a character grid implementing <see cref="ICharacterLcd"/>, so
/// <see cref="CharacterLcdGateDisplay"/> runs its real cursor/write code against it. Like the chip
/// it does not wrap: characters past the last column go to invisible memory.
/// </summary>
internal sealed class SimulatedCharacterLcd(int columns, int rows) : ICharacterLcd
{
    private readonly char[,] _cells = Blank(columns, rows);
    private int _column;
    private int _row;

    public bool BacklightOn { get; set; }

    public bool DisplayOn { get; set; } = true;

    public bool UnderlineCursorVisible { get; set; }

    public bool BlinkingCursorVisible { get; set; }

    public Size Size { get; } = new(columns, rows);

    public int NumberOfCustomCharactersSupported => 8;

    /// <summary>What a person standing at the gate reads.</summary>
    public IReadOnlyList<string> Lines =>
        [.. Enumerable.Range(0, Size.Height).Select(r => new string([.. Enumerable.Range(0, Size.Width).Select(c => _cells[c, r])]))];

    public void Clear()
    {
        for (var r = 0; r < Size.Height; r++)
        {
            for (var c = 0; c < Size.Width; c++)
            {
                _cells[c, r] = ' ';
            }
        }

        _column = 0;
        _row = 0;
    }

    public void CreateCustomCharacter(int location, ReadOnlySpan<byte> characterMap)
    {
    }

    public void Dispose()
    {
    }

    public void CreateCustomCharacter(int location, byte[] characterMap)
    {
    }

    public void SetCursorPosition(int left, int top)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(top, Size.Height);
        _column = left;
        _row = top;
    }

    public void Write(string text) => Write(text.AsSpan());

    public void Write(char[] text) => Write(text.AsSpan());

    public void Write(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (_column < Size.Width)
            {
                _cells[_column, _row] = c;
            }

            _column++;
        }
    }

    private static char[,] Blank(int columns, int rows)
    {
        var cells = new char[columns, rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                cells[c, r] = ' ';
            }
        }

        return cells;
    }
}

/// <summary>
/// A 128×32 or 128×64 SSD1306 OLED over I2C through Iot.Device.Ssd13xx. Text is drawn with the
/// binding's built-in 5×8 font into the controller's page layout and sent with
/// <see cref="Ssd13xx.SendData"/>; the binding's own DrawBitmap needs an image factory
/// (SkiaSharp adapter) we do not ship on the Pi. Four text rows, 21 columns.
/// </summary>
internal sealed class Ssd1306GateDisplay : TextGateDisplay, IDisposable
{
    /// <summary>5 pixel glyph plus 1 pixel gap.</summary>
    private const int CellWidth = 6;

    private const int TextRows = 4;

    private readonly Ssd1306 _device;
    private readonly int _width;
    private readonly int _height;
    private readonly bool _shouldDispose;

    public Ssd1306GateDisplay(string id, Ssd1306 device, int width = 128, int height = 32, bool shouldDispose = true)
        : base(id, width / CellWidth, TextRows)
    {
        if (width != 128 || height is not (32 or 64))
        {
            throw new ArgumentException("Supported panels: 128x32 and 128x64.");
        }

        _device = device;
        _width = width;
        _height = height;
        _shouldDispose = shouldDispose;
        Initialize();
    }

    /// <summary>Opens an SSD1306 on <paramref name="bus"/> (address 0x3C or 0x3D) and clears it.</summary>
    public static Ssd1306GateDisplay Open(string id, I2cDevice bus, int width = 128, int height = 32)
    {
        MonochromeImageFactory.EnsureRegistered();
        return new Ssd1306GateDisplay(id, new Ssd1306(bus, width, height), width, height);
    }

    /// <summary>The page-layout frame buffer for <paramref name="lines"/> (public for tests): byte (page, x), bit y%8.</summary>
    public static byte[] RenderFrame(IReadOnlyList<string> lines, int width, int height)
    {
        var pages = height / 8;
        var frame = new byte[width * pages];
        var font = new Font5x8();
        var pagesPerRow = pages / TextRows;
        for (var row = 0; row < Math.Min(lines.Count, TextRows); row++)
        {
            var page = row * pagesPerRow;
            var x0 = 0;
            foreach (var c in lines[row])
            {
                font.GetCharData(c, out ReadOnlySpan<ushort> glyph);
                for (var gx = 0; gx < font.Width && x0 + gx < width; gx++)
                {
                    byte column = 0;
                    for (var gy = 0; gy < Math.Min(glyph.Length, 8); gy++)
                    {
                        // BDF rows keep the leftmost pixel in the highest of the glyph's Width bits.
                        if (((glyph[gy] >> (font.Width - 1 - gx)) & 1) != 0)
                        {
                            column |= (byte)(1 << gy);
                        }
                    }

                    frame[(page * width) + x0 + gx] = column;
                }

                x0 += CellWidth;
            }
        }

        return frame;
    }

    public void Dispose()
    {
        if (_shouldDispose)
        {
            _device.Dispose();
        }
    }

    protected override void Render(IReadOnlyList<string> lines)
    {
        var frame = RenderFrame(lines, _width, _height);
        _device.SendCommand(new Ssd1306Cmd.SetColumnAddress(0, (byte)(_width - 1)));
        _device.SendCommand(new Ssd1306Cmd.SetPageAddress(Ssd1306Cmd.PageAddress.Page0, (Ssd1306Cmd.PageAddress)((_height / 8) - 1)));
        _device.SendData(frame);
    }

    /// <summary>The power-on sequence of the SSD1306 datasheet (application note, "software initialization").</summary>
    private void Initialize()
    {
        _device.SendCommand(new SetDisplayOff());
        _device.SendCommand(new Ssd1306Cmd.SetDisplayClockDivideRatioOscillatorFrequency(0x00, 0x08));
        _device.SendCommand(new SetMultiplexRatio((byte)(_height - 1)));
        _device.SendCommand(new Ssd1306Cmd.SetDisplayOffset(0x00));
        _device.SendCommand(new Ssd1306Cmd.SetDisplayStartLine(0x00));
        _device.SendCommand(new Ssd1306Cmd.SetChargePump(true));
        _device.SendCommand(new Ssd1306Cmd.SetMemoryAddressingMode(Ssd1306Cmd.SetMemoryAddressingMode.AddressingMode.Horizontal));
        _device.SendCommand(new Ssd1306Cmd.SetSegmentReMap(true));
        _device.SendCommand(new Ssd1306Cmd.SetComOutputScanDirection(false));
        _device.SendCommand(new Ssd1306Cmd.SetComPinsHardwareConfiguration(_height == 64, false));
        _device.SendCommand(new SetContrastControlForBank0(0x8F));
        _device.SendCommand(new Ssd1306Cmd.SetPreChargePeriod(0x01, 0x0F));
        _device.SendCommand(new Ssd1306Cmd.SetVcomhDeselectLevel(Ssd1306Cmd.SetVcomhDeselectLevel.DeselectLevel.Vcc0_77));
        _device.SendCommand(new Ssd1306Cmd.EntireDisplayOn(false));
        _device.SendCommand(new Ssd1306Cmd.SetNormalDisplay());
        _device.SendCommand(new SetDisplayOn());
    }
}

/// <summary>A display for the simulator and lane tests: it only keeps the laid-out lines.</summary>
internal sealed class SimulatedGateDisplay(string id, int columns = 16, int rows = 2) : TextGateDisplay(id, columns, rows)
{
    protected override void Render(IReadOnlyList<string> lines)
    {
    }
}
