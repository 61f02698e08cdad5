using System.Text;

namespace ParkingLot.Edge.Hardware.Printing;

/// <summary>
/// ESC/POS command bytes, as in the Epson "ESC/POS Application Programming Guide" and "ESC/POS
/// Command Reference" (https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/). Only the
/// commands the ticket needs; every clone we have met (Xprinter, Rongta, Hoin) honours these.
/// </summary>
internal static class EscPos
{
    public const byte Esc = 0x1B;
    public const byte Gs = 0x1D;
    public const byte Dle = 0x10;
    public const byte Eot = 0x04;
    public const byte Lf = 0x0A;

    /// <summary>GS ( k function 080: the QR store command takes at most 7089 data bytes (model 2, version 40, level L).</summary>
    public const int MaxQrDataBytes = 7089;

    /// <summary>DLE EOT n: n=1 printer status, 2 off-line cause, 4 roll paper sensor status.</summary>
    public enum StatusQuery : byte
    {
        Printer = 1,
        OfflineCause = 2,
        PaperSensor = 4,
    }

    /// <summary>Status bytes: bit 1 and bit 4 are always 1, bit 0 and bit 7 always 0 (Command Reference, DLE EOT).</summary>
    public const byte StatusFixedMask = 0x93;

    /// <inheritdoc cref="StatusFixedMask"/>
    public const byte StatusFixedBits = 0x12;

    /// <summary>n=1 bit 3: off-line.</summary>
    public const byte PrinterOffline = 0x08;

    /// <summary>n=2 bit 2: cover open.</summary>
    public const byte CauseCoverOpen = 0x04;

    /// <summary>n=2 bit 5: printing stopped because the paper ran out.</summary>
    public const byte CausePaperEnd = 0x20;

    /// <summary>n=2 bit 6: an error occurred (cutter jam, head overheat...).</summary>
    public const byte CauseError = 0x40;

    /// <summary>n=4 bits 2-3: roll paper near end.</summary>
    public const byte PaperNearEnd = 0x0C;

    /// <summary>n=4 bits 5-6: roll paper end.</summary>
    public const byte PaperEnd = 0x60;
}

/// <summary>Builds an ESC/POS byte sequence. Text is sent as ASCII (code page 437's lower half); anything else becomes '?'.</summary>
internal sealed class EscPosBuilder
{
    private readonly List<byte> _bytes = [];

    public EscPosBuilder Initialize() => Add(EscPos.Esc, (byte)'@');

    public EscPosBuilder Center(bool on = true) => Add(EscPos.Esc, (byte)'a', on ? (byte)1 : (byte)0);

    public EscPosBuilder Bold(bool on = true) => Add(EscPos.Esc, (byte)'E', on ? (byte)1 : (byte)0);

    /// <summary>GS ! n: double width and height when on.</summary>
    public EscPosBuilder DoubleSize(bool on = true) => Add(EscPos.Gs, (byte)'!', on ? (byte)0x11 : (byte)0x00);

    public EscPosBuilder Line(string text)
    {
        foreach (var c in text)
        {
            _bytes.Add(c is >= ' ' and <= '~' ? (byte)c : (byte)'?');
        }

        return Add(EscPos.Lf);
    }

    /// <summary>ESC d n: print and feed n lines.</summary>
    public EscPosBuilder Feed(byte lines) => Add(EscPos.Esc, (byte)'d', lines);

    /// <summary>
    /// A QR code (GS ( k, cn 49): select model 2 (fn 65), module size (fn 67), error correction M
    /// (fn 69: 15 % of a smudged thermal print still scans), store (fn 80), print (fn 81).
    /// </summary>
    public EscPosBuilder QrCode(string payload, byte moduleSize = 6)
    {
        var data = Encoding.ASCII.GetBytes(payload);
        if (data.Length is 0 or > EscPos.MaxQrDataBytes || payload.Any(c => c > 0x7E))
        {
            throw new ArgumentException($"A QR payload must be 1-{EscPos.MaxQrDataBytes} printable ASCII characters.", nameof(payload));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(moduleSize, (byte)1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(moduleSize, (byte)16);

        Add(EscPos.Gs, (byte)'(', (byte)'k', 4, 0, 49, 65, 50, 0);
        Add(EscPos.Gs, (byte)'(', (byte)'k', 3, 0, 49, 67, moduleSize);
        Add(EscPos.Gs, (byte)'(', (byte)'k', 3, 0, 49, 69, 49);
        var storeLength = data.Length + 3;
        Add(EscPos.Gs, (byte)'(', (byte)'k', (byte)(storeLength & 0xFF), (byte)(storeLength >> 8), 49, 80, 48);
        _bytes.AddRange(data);
        return Add(EscPos.Gs, (byte)'(', (byte)'k', 3, 0, 49, 81, 48);
    }

    /// <summary>GS V 66 n: feed to the cutter plus n dots, then a partial cut (the ticket stays on a tab, so it does not fall).</summary>
    public EscPosBuilder Cut(byte extraFeedDots = 0) => Add(EscPos.Gs, (byte)'V', 66, extraFeedDots);

    public byte[] ToArray() => [.. _bytes];

    private EscPosBuilder Add(params ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }
}
