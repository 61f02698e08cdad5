namespace ParkingLot.Edge.Ledger;

/// <summary>The outbox cursor: the highest seq the cloud acknowledged for this epoch.</summary>
internal sealed partial class LedgerStore
{
    /// <summary>
    /// Records the cloud's acknowledgement; the cursor only moves forward and never past the last
    /// event. Returns true when it moved.
    /// </summary>
    public async Task<bool> SetAckedSeqAsync(long seq, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var target = Math.Min(seq, _lastSeq);
            if (target <= _ackedSeq)
            {
                return false;
            }

            await using var command = Command(_writer, "UPDATE sync_state SET acked_seq = $seq, acked_at = $at WHERE id = 1 AND acked_seq < $seq", "$seq", "$at");
            command.Parameters[0].Value = target;
            command.Parameters[1].Value = LedgerText.Time(_timeProvider.GetUtcNow());
            await command.ExecuteNonQueryAsync(cancellationToken);
            Interlocked.Exchange(ref _ackedSeq, target);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The persisted acknowledged seq (same as <see cref="AckedSeq"/>, read from disk).</summary>
    public Task<long> GetAckedSeqAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (c, ct) => await ScalarAsync<long?>(c, null, "SELECT acked_seq FROM sync_state WHERE id = 1", ct) ?? 0, cancellationToken);
}
