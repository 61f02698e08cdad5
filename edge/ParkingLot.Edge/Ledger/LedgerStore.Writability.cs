using Microsoft.Data.Sqlite;

namespace ParkingLot.Edge.Ledger;

/// <summary>Whether the ledger can take writes, and why not (disk full, I/O error), since when.</summary>
internal sealed record LedgerWriteState(bool Writable, string? Reason, DateTimeOffset Since);

/// <summary>
/// Thrown by <see cref="LedgerStore.AppendAsync{TPayload}"/> while the ledger cannot be written. Nothing
/// of the failed step was recorded, and (every step writes its event first) nothing of it was done:
/// no relay moved, no ticket printed, no payment taken.
/// </summary>
internal sealed class LedgerUnwritableException(string reason, Exception? inner = null)
    : IOException($"The ledger cannot be written: {reason}", inner)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// The ledger's safe mode: when a write fails at the storage (SQLITE_FULL, SQLITE_IOERR, an
/// <see cref="IOException"/>), the store becomes unwritable. Every append then fails with
/// <see cref="LedgerUnwritableException"/> before it touches anything, and the lanes, which write each
/// step's event before the step acts, stop where they are: no admission, no barrier move, no ticket
/// (an arm that is up stays up; a vehicle is never closed on). After <see cref="RetryAfter"/> the next
/// append tries the disk again, so freeing space or a transient error heals without a restart; a
/// success makes the store writable again. Each change is raised once (<see cref="WriteStateChanged"/>,
/// logged by <see cref="LedgerWriteMonitor"/>).
/// </summary>
internal sealed partial class LedgerStore
{
    private LedgerWriteState? _writeState;
    private long _unwritableAt;
    private int _pendingStateChange;

    /// <summary>How long appends fail fast after a storage failure before the disk is tried again. Default 5 s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Raised when the ledger becomes unwritable or writable again.</summary>
    public event Action<LedgerWriteState>? WriteStateChanged;

    /// <summary>Writable, or not and why.</summary>
    public LedgerWriteState WriteState => Volatile.Read(ref _writeState) ?? new LedgerWriteState(true, null, DateTimeOffset.MinValue);

    /// <summary>Fails fast while unwritable and inside <see cref="RetryAfter"/>; called under the write lock.</summary>
    private void ThrowIfUnwritable()
    {
        if (_writeState is { Writable: false, Reason: var reason } && _timeProvider.GetElapsedTime(_unwritableAt) < RetryAfter)
        {
            throw new LedgerUnwritableException(reason ?? "unknown");
        }
    }

    /// <summary>True for failures of the storage under the ledger (as opposed to a bad event).</summary>
    private static bool IsStorageFailure(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 13 } => true, // SQLITE_FULL
        SqliteException { SqliteErrorCode: 10 } => true, // SQLITE_IOERR (any extended code)
        SqliteException { SqliteErrorCode: 14 } => true, // SQLITE_CANTOPEN (journal or WAL cannot be created)
        SqliteException { SqliteErrorCode: 8 } => true, // SQLITE_READONLY (remounted read-only after errors)
        IOException => true,
        _ => false,
    };

    /// <summary>Records a storage failure of an append (under the write lock) and returns what to throw.</summary>
    private LedgerUnwritableException Unwritable(Exception e)
    {
        var reason = e is SqliteException sqlite ? $"{sqlite.Message.TrimEnd('.')} (SQLite error {sqlite.SqliteExtendedErrorCode})" : e.Message;
        _unwritableAt = _timeProvider.GetTimestamp();
        if (_writeState is not { Writable: false })
        {
            Volatile.Write(ref _writeState, new LedgerWriteState(false, reason, _timeProvider.GetUtcNow()));
            Volatile.Write(ref _pendingStateChange, 1);
        }

        return new LedgerUnwritableException(reason, e);
    }

    /// <summary>An append committed: writable again if it was not.</summary>
    private void Written()
    {
        if (_writeState is { Writable: false })
        {
            Volatile.Write(ref _writeState, new LedgerWriteState(true, null, _timeProvider.GetUtcNow()));
            Volatile.Write(ref _pendingStateChange, 1);
        }
    }

    /// <summary>Raises a pending state change outside the write lock.</summary>
    private void RaiseWriteStateChange()
    {
        if (Interlocked.Exchange(ref _pendingStateChange, 0) == 1)
        {
            WriteStateChanged?.Invoke(WriteState);
        }
    }
}

/// <summary>Logs the ledger's safe mode: when it starts (with the reason) and when writes work again.</summary>
internal sealed class LedgerWriteMonitor(LedgerStore ledger, ILogger<LedgerWriteMonitor> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ledger.WriteStateChanged += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        ledger.WriteStateChanged -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(LedgerWriteState state)
    {
        if (state.Writable)
        {
            Log.LedgerWritableAgain(logger, ledger.Path);
        }
        else
        {
            Log.LedgerUnwritable(logger, ledger.Path, state.Reason ?? "unknown");
        }
    }
}
