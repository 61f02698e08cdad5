namespace ParkingLot.Edge.Hardware.Printing;

internal enum PrinterStatus
{
    Ready,
    PaperOut,

    /// <summary>No reply, or the printer reports off-line (cover open, feed button held).</summary>
    Offline,

    /// <summary>The printer reports an error (cutter jam, overheat) or answered garbage.</summary>
    Error,
}

/// <summary>What goes on a ticket. The QR payload is a credential: it is printed, never logged.</summary>
internal sealed record TicketPrintJob(string Title, IReadOnlyList<string> Lines, string QrPayload, IReadOnlyList<string> Footer);

/// <summary>Printed, or not and why (the status that stopped it).</summary>
internal sealed record PrintOutcome(bool Printed, PrinterStatus Status);

internal interface ITicketPrinter : IReportsHealth
{
    Task<PrinterStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>Checks the printer is ready, prints, and checks again (paper may run out mid-ticket).</summary>
    Task<PrintOutcome> PrintAsync(TicketPrintJob job, CancellationToken cancellationToken);
}

internal sealed record EscPosPrinterOptions
{
    /// <summary>
    /// How long to wait for one DLE EOT reply. Default 500 ms: real-time commands are answered at
    /// once (Command Reference, DLE EOT: "executed even when the printer is off-line"), so silence
    /// this long means no printer or no back channel.
    /// </summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long one write (a status query, a whole ticket) may take. Default 5 s: a ticket is a few
    /// kilobytes, far below any printer's receive buffer, so a write that blocks this long means the
    /// printer stopped taking data (usblp blocks a write to an off-line printer indefinitely).
    /// </summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Characters per line in font A. Default 32 (58 mm paper); 48 for 80 mm.</summary>
    public int Columns { get; init; } = 32;
}

/// <summary>
/// An ESC/POS printer on a bidirectional byte stream: the usblp device (/dev/usb/lp0, opened
/// read/write) or a serial port's BaseStream. Tests and the simulator hand it a
/// <see cref="SimulatedEscPosPrinter"/>, which parses the same bytes. One job at a time.
/// <para>
/// Every read and write runs off the caller's thread and is bounded by a timeout on the injected
/// clock, whether or not the stream honours cancellation (a blocking read of /dev/usb/lp0 does not):
/// a printer that does not answer reads <see cref="PrinterStatus.Offline"/> within the timeout, and
/// while an abandoned read or write is still stuck in the driver every later call answers Offline at
/// once instead of queueing behind it. The lane goes on without tickets; it never freezes.
/// </para>
/// </summary>
internal sealed class EscPosTicketPrinter : ITicketPrinter, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _shouldDispose;
    private readonly EscPosPrinterOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private StatusSnapshot? _last;
    private Task? _stuck;
    private Task<int>? _pendingRead;
    private byte _pendingReadByte;

    public EscPosTicketPrinter(string id, Stream stream, EscPosPrinterOptions options, TimeProvider time, bool shouldDispose = true)
    {
        if (!stream.CanRead || !stream.CanWrite)
        {
            throw new ArgumentException("The printer stream must be readable (status) and writable (print).", nameof(stream));
        }

        Id = id;
        _stream = stream;
        _options = options;
        _time = time;
        _shouldDispose = shouldDispose;
    }

    public string Id { get; }

    public async Task<PrinterStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await QueryStatusAsync(cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public async Task<PrintOutcome> PrintAsync(TicketPrintJob job, CancellationToken cancellationToken)
    {
        var bytes = Render(job, _options.Columns);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var before = await QueryStatusAsync(cancellationToken);
            if (before != PrinterStatus.Ready)
            {
                return new PrintOutcome(false, before);
            }

            if (!await WriteAsync(bytes, cancellationToken))
            {
                Volatile.Write(ref _last, new StatusSnapshot(PrinterStatus.Offline, false, $"a write did not finish within {_options.WriteTimeout.TotalSeconds:0.#} s"));
                return new PrintOutcome(false, PrinterStatus.Offline);
            }

            var after = await QueryStatusAsync(cancellationToken);
            return new PrintOutcome(after == PrinterStatus.Ready, after);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public DeviceHealth GetHealth()
    {
        if (Volatile.Read(ref _last) is not { } last)
        {
            return new DeviceHealth(Id, DeviceKind.TicketPrinter, DeviceState.Degraded, "status not queried yet", "run `parkctl selftest` to query the printer");
        }

        return last.Status switch
        {
            PrinterStatus.Ready when last.NearEnd => new DeviceHealth(Id, DeviceKind.TicketPrinter, DeviceState.Degraded, "paper near end", "load a new paper roll soon"),
            PrinterStatus.Ready => DeviceHealth.Ok(Id, DeviceKind.TicketPrinter, "ready"),
            PrinterStatus.PaperOut => new DeviceHealth(Id, DeviceKind.TicketPrinter, DeviceState.Faulted, last.Detail, "load a new paper roll and close the cover"),
            PrinterStatus.Offline => new DeviceHealth(Id, DeviceKind.TicketPrinter, DeviceState.Faulted, last.Detail, "check the printer's power and USB cable, and that the cover is closed"),
            _ => new DeviceHealth(Id, DeviceKind.TicketPrinter, DeviceState.Faulted, last.Detail, "open the cover, clear any paper jam at the cutter, power-cycle the printer"),
        };
    }

    /// <summary>The whole ticket as ESC/POS bytes (public so a test or `parkctl selftest` can inspect it).</summary>
    public static byte[] Render(TicketPrintJob job, int columns)
    {
        var builder = new EscPosBuilder()
            .Initialize()
            .Center()
            .Bold()
            .DoubleSize()
            .Line(Fit(job.Title, columns / 2))
            .DoubleSize(false)
            .Bold(false)
            .Center(false);
        foreach (var line in job.Lines)
        {
            builder.Line(Fit(line, columns));
        }

        builder.Center().QrCode(job.QrPayload);
        foreach (var line in job.Footer)
        {
            builder.Line(Fit(line, columns));
        }

        return builder.Center(false).Feed(2).Cut().ToArray();
    }

    public void Dispose()
    {
        if (_shouldDispose)
        {
            _stream.Dispose();
        }

        _oneAtATime.Dispose();
    }

    private static string Fit(string text, int columns) => text.Length <= columns ? text : text[..columns];

    private async Task<PrinterStatus> QueryStatusAsync(CancellationToken cancellationToken)
    {
        var (status, nearEnd, detail) = await ReadStatusAsync(cancellationToken);
        Volatile.Write(ref _last, new StatusSnapshot(status, nearEnd, detail));
        return status;
    }

    private async Task<(PrinterStatus, bool, string)> ReadStatusAsync(CancellationToken cancellationToken)
    {
        if (await QueryAsync(EscPos.StatusQuery.Printer, cancellationToken) is not { } printer)
        {
            return (PrinterStatus.Offline, false, "no reply to DLE EOT 1");
        }

        if ((printer & EscPos.StatusFixedMask) != EscPos.StatusFixedBits)
        {
            return (PrinterStatus.Error, false, $"garbled status byte 0x{printer:X2}");
        }

        if (await QueryAsync(EscPos.StatusQuery.PaperSensor, cancellationToken) is not { } paper)
        {
            return (PrinterStatus.Offline, false, "no reply to DLE EOT 4");
        }

        if ((paper & EscPos.PaperEnd) != 0)
        {
            return (PrinterStatus.PaperOut, false, "paper end");
        }

        var nearEnd = (paper & EscPos.PaperNearEnd) != 0;
        if ((printer & EscPos.PrinterOffline) == 0)
        {
            return (PrinterStatus.Ready, nearEnd, "ready");
        }

        if (await QueryAsync(EscPos.StatusQuery.OfflineCause, cancellationToken) is not { } cause)
        {
            return (PrinterStatus.Offline, nearEnd, "off-line, no reply to DLE EOT 2");
        }

        return cause switch
        {
            _ when (cause & EscPos.CausePaperEnd) != 0 => (PrinterStatus.PaperOut, nearEnd, "stopped: paper end"),
            _ when (cause & EscPos.CauseError) != 0 => (PrinterStatus.Error, nearEnd, "printer error (cutter or head)"),
            _ when (cause & EscPos.CauseCoverOpen) != 0 => (PrinterStatus.Offline, nearEnd, "cover open"),
            _ => (PrinterStatus.Offline, nearEnd, "off-line"),
        };
    }

    private sealed record StatusSnapshot(PrinterStatus Status, bool NearEnd, string Detail);

    private async Task<byte?> QueryAsync(EscPos.StatusQuery query, CancellationToken cancellationToken)
    {
        if (!await WriteAsync([EscPos.Dle, EscPos.Eot, (byte)query], cancellationToken))
        {
            return null;
        }

        // One read in flight at most: a read abandoned by a timeout stays the pending one, and its
        // byte (a late reply) is taken by the next query rather than lost or read twice.
        var read = _pendingRead ??= StartRead();
        using var timeout = new CancellationTokenSource(_options.StatusTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var count = await read.WaitAsync(linked.Token);
            _pendingRead = null;
            return count == 1 ? _pendingReadByte : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            _pendingRead = null;
            return null;
        }
    }

    /// <summary>A read not tied to any caller's token: only a reply, an error or disposal ends it.</summary>
    private Task<int> StartRead() => Task.Run(
        async () =>
        {
            var reply = new byte[1];
            var count = await _stream.ReadAsync(reply, CancellationToken.None);
            _pendingReadByte = reply[0];
            return count;
        },
        CancellationToken.None);

    /// <summary>Writes and flushes off the caller's thread within <see cref="EscPosPrinterOptions.WriteTimeout"/>; false when the printer did not take the bytes.</summary>
    private async Task<bool> WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        if (_stuck is { IsCompleted: false })
        {
            return false;
        }

        var write = Task.Run(
            async () =>
            {
                await _stream.WriteAsync(bytes, CancellationToken.None);
                await _stream.FlushAsync(CancellationToken.None);
            },
            CancellationToken.None);
        using var timeout = new CancellationTokenSource(_options.WriteTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await write.WaitAsync(linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _stuck = write;
            return false;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }
}
