using System.Text;
using System.Threading.Channels;

namespace ParkingLot.Edge.Hardware.Printing;

/// <summary>One cut-off ticket as the simulated printer would have printed it.</summary>
internal sealed record PrintedTicket(IReadOnlyList<string> Lines, IReadOnlyList<string> QrCodes, IReadOnlyList<string> BoldLines);

/// <summary>
/// The printer end of the byte stream: a duplex <see cref="Stream"/> that parses the ESC/POS the
/// <see cref="EscPosTicketPrinter"/> writes (text, bold, QR store/print, cut) into
/// <see cref="Tickets"/>, and answers DLE EOT status queries from its settable state. Unknown
/// commands are recorded so a test can tell the parser and the builder drifted apart.
/// </summary>
internal sealed class SimulatedEscPosPrinter : Stream
{
    private readonly object _gate = new();
    private readonly List<byte> _pending = [];
    private readonly Channel<byte> _replies = Channel.CreateUnbounded<byte>();
    private readonly List<PrintedTicket> _tickets = [];
    private readonly List<string> _unknown = [];
    private readonly List<string> _lines = [];
    private readonly List<string> _boldLines = [];
    private readonly List<string> _qrCodes = [];
    private readonly StringBuilder _line = new();
    private string? _storedQr;
    private bool _bold;

    /// <summary>Out of paper: prints nothing and reports paper end.</summary>
    public bool PaperOut { get; set; }

    /// <summary>Roll nearly finished: still prints, reports near end.</summary>
    public bool PaperNearEnd { get; set; }

    /// <summary>Cover open: prints nothing and reports off-line.</summary>
    public bool CoverOpen { get; set; }

    /// <summary>Cutter jam or similar: prints nothing and reports an error.</summary>
    public bool Jammed { get; set; }

    /// <summary>Unplugged or no back channel: status queries get no reply.</summary>
    public bool Unresponsive { get; set; }

    public IReadOnlyList<PrintedTicket> Tickets
    {
        get
        {
            lock (_gate)
            {
                return [.. _tickets];
            }
        }
    }

    /// <summary>Escape sequences the parser did not know, as hex.</summary>
    public IReadOnlyList<string> UnknownCommands
    {
        get
        {
            lock (_gate)
            {
                return [.. _unknown];
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    private bool CanPrint => !PaperOut && !CoverOpen && !Jammed;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            foreach (var b in buffer)
            {
                _pending.Add(b);
            }

            var consumed = 0;
            while (consumed < _pending.Count)
            {
                var used = ParseOne(_pending, consumed);
                if (used == 0)
                {
                    break;
                }

                consumed += used;
            }

            _pending.RemoveRange(0, consumed);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var first = await _replies.Reader.ReadAsync(cancellationToken);
        buffer.Span[0] = first;
        var n = 1;
        while (n < buffer.Length && _replies.Reader.TryRead(out var more))
        {
            buffer.Span[n++] = more;
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Parses one command or character at <paramref name="at"/>; returns bytes used, 0 if incomplete.</summary>
    private int ParseOne(List<byte> bytes, int at)
    {
        var available = bytes.Count - at;
        byte Peek(int i) => bytes[at + i];

        switch (Peek(0))
        {
            case EscPos.Lf:
                EndLine();
                return 1;
            case (byte)'\r':
                return 1;
            case EscPos.Dle:
                if (available < 3)
                {
                    return 0;
                }

                if (Peek(1) == EscPos.Eot)
                {
                    Reply((EscPos.StatusQuery)Peek(2));
                }
                else
                {
                    Unknown(bytes, at, 3);
                }

                return 3;
            case EscPos.Esc:
                return available < 2 ? 0 : ParseEsc(bytes, at, available);
            case EscPos.Gs:
                return available < 2 ? 0 : ParseGs(bytes, at, available);
            default:
                if (CanPrint)
                {
                    _line.Append((char)Peek(0));
                }

                return 1;
        }
    }

    private int ParseEsc(List<byte> bytes, int at, int available)
    {
        switch (bytes[at + 1])
        {
            case (byte)'@':
                _bold = false;
                return 2;
            case (byte)'a':
                return available < 3 ? 0 : 3;
            case (byte)'E':
                if (available < 3)
                {
                    return 0;
                }

                _bold = bytes[at + 2] != 0;
                return 3;
            case (byte)'d':
                return available < 3 ? 0 : 3;
            default:
                Unknown(bytes, at, 2);
                return 2;
        }
    }

    private int ParseGs(List<byte> bytes, int at, int available)
    {
        switch (bytes[at + 1])
        {
            case (byte)'!':
                return available < 3 ? 0 : 3;
            case (byte)'V':
                if (available < 3)
                {
                    return 0;
                }

                // GS V 0/1/48/49 cut at once; 65/66 take a feed amount byte.
                var m = bytes[at + 2];
                var length = m is 65 or 66 ? 4 : 3;
                if (available < length)
                {
                    return 0;
                }

                Cut();
                return length;
            case (byte)'(' when available >= 5 && bytes[at + 2] == (byte)'k':
                var dataLength = bytes[at + 3] | (bytes[at + 4] << 8);
                if (available < 5 + dataLength)
                {
                    return 0;
                }

                Qr(bytes.GetRange(at + 5, dataLength));
                return 5 + dataLength;
            case (byte)'(':
                return 0;
            default:
                Unknown(bytes, at, 2);
                return 2;
        }
    }

    private void Qr(List<byte> parameters)
    {
        // cn 49 = QR; fn 80 = store (m=48, then data), fn 81 = print the stored symbol.
        if (parameters.Count < 2 || parameters[0] != 49)
        {
            _unknown.Add("GS ( k " + Convert.ToHexString([.. parameters]));
            return;
        }

        switch (parameters[1])
        {
            case 80:
                _storedQr = Encoding.ASCII.GetString([.. parameters.Skip(3)]);
                break;
            case 81 when _storedQr is not null && CanPrint:
                _qrCodes.Add(_storedQr);
                break;
            case 65 or 67 or 69 or 81:
                break;
            default:
                _unknown.Add("GS ( k " + Convert.ToHexString([.. parameters]));
                break;
        }
    }

    private void EndLine()
    {
        if (!CanPrint)
        {
            return;
        }

        var text = _line.ToString();
        _lines.Add(text);
        if (_bold)
        {
            _boldLines.Add(text);
        }

        _line.Clear();
    }

    private void Cut()
    {
        if (!CanPrint)
        {
            return;
        }

        if (_line.Length > 0)
        {
            EndLine();
        }

        _tickets.Add(new PrintedTicket([.. _lines], [.. _qrCodes], [.. _boldLines]));
        _lines.Clear();
        _boldLines.Clear();
        _qrCodes.Clear();
        _storedQr = null;
    }

    private void Reply(EscPos.StatusQuery query)
    {
        if (Unresponsive)
        {
            return;
        }

        var offline = !CanPrint;
        var value = EscPos.StatusFixedBits | query switch
        {
            EscPos.StatusQuery.Printer => offline ? EscPos.PrinterOffline : 0,
            EscPos.StatusQuery.OfflineCause => (CoverOpen ? EscPos.CauseCoverOpen : 0) | (PaperOut ? EscPos.CausePaperEnd : 0) | (Jammed ? EscPos.CauseError : 0),
            EscPos.StatusQuery.PaperSensor => (PaperOut ? EscPos.PaperEnd : 0) | (PaperNearEnd ? EscPos.PaperNearEnd : 0),
            _ => 0,
        };
        _replies.Writer.TryWrite((byte)value);
    }

    private void Unknown(List<byte> bytes, int at, int length) =>
        _unknown.Add(Convert.ToHexString([.. bytes.GetRange(at, length)]));
}
