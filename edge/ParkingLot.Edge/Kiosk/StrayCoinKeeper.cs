using ParkingLot.Edge.Payments;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Kiosk;

/// <summary>
/// Puts coins that no payment took on record (<see cref="EventTypes.KioskStrayCoins"/>). When the
/// ledger cannot take them now (safe mode: disk full, I/O error) they wait here, in order, and are
/// tried again every <see cref="RetryEvery"/> until they are recorded; anything still waiting when the
/// agent stops is logged with its amount, so the cash box can be reconciled from the log.
/// </summary>
internal sealed class StrayCoinKeeper : IDisposable
{
    private readonly object _gate = new();
    private readonly List<StrayCoins> _pending = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly PaymentRecorder _payments;
    private readonly ILogger _logger;
    private readonly ITimer _retry;
    private bool _disposed;

    public StrayCoinKeeper(PaymentRecorder payments, TimeProvider time, ILogger logger)
    {
        _payments = payments;
        _logger = logger;
        _retry = time.CreateTimer(_ => _ = FlushAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How long to wait before trying the ledger again after it refused a record. Default 5 s (the ledger's own retry).</summary>
    public TimeSpan RetryEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Stray coins not yet on record.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="coins"/> and tries to record everything queued; returns when that try is over.</summary>
    public Task KeepAsync(StrayCoins coins)
    {
        lock (_gate)
        {
            _pending.Add(coins);
        }

        Log.KioskStrayCoins(_logger, coins.Amount.ToString(), coins.Reason, coins.TicketId);
        return FlushAsync();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var coins in _pending)
            {
                Log.KioskStrayCoinsUnrecorded(_logger, coins.Amount.ToString(), coins.Reason, coins.TicketId);
            }
        }

        _retry.Dispose();
    }

    private async Task FlushAsync()
    {
        await _flushing.WaitAsync(CancellationToken.None);
        try
        {
            while (true)
            {
                StrayCoins next;
                lock (_gate)
                {
                    if (_disposed || _pending.Count == 0)
                    {
                        return;
                    }

                    next = _pending[0];
                }

                try
                {
                    await _payments.RecordStrayCoinsAsync(next, CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.KioskStrayCoinsDeferred(_logger, next.Amount.ToString(), RetryEvery, ex.Message);
                    lock (_gate)
                    {
                        if (!_disposed)
                        {
                            _retry.Change(RetryEvery, Timeout.InfiniteTimeSpan);
                        }
                    }

                    return;
                }

                lock (_gate)
                {
                    _pending.RemoveAt(0);
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }
}
