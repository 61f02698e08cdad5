namespace ParkingLot.Edge.Tests.Hardware;

/// <summary>
/// A printer device that never answers: reads (and, when asked, writes) block their thread until
/// the test ends, ignoring cancellation, as a blocking read of /dev/usb/lp0 does.
/// </summary>
internal sealed class DeadPrinterStream(bool blockWrites) : Stream
{
    private readonly ManualResetEventSlim _released = new();
    private int _reads;
    private int _writes;

    public int ReadsStarted => Volatile.Read(ref _reads);

    public int WritesStarted => Volatile.Read(ref _writes);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => 0;

    public override long Position { get; set; }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        Interlocked.Increment(ref _reads);
        _released.Wait();
        return 0;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(new byte[1], 0, 1));

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (blockWrites)
        {
            Interlocked.Increment(ref _writes);
            _released.Wait();
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write([], 0, 0);
        return ValueTask.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => 0;

    public override void SetLength(long value)
    {
    }

    protected override void Dispose(bool disposing)
    {
        _released.Set();
        base.Dispose(disposing);
    }
}
