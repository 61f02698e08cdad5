using System.Globalization;
using System.Text.Json;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>Integrity: the hash chain checked end to end, and the state tables rebuilt from the events.</summary>
internal sealed partial class LedgerStore
{
    /// <summary>
    /// Walks the whole chain and returns the first event that is not what was written: a seq gap
    /// (deleted event), a predecessor-hash mismatch (reordered or inserted event), a hash that its
    /// fields do not produce (edited event), or a ledger shorter than the cloud acknowledged.
    /// </summary>
    public async Task<LedgerVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await using var command = Command(_reader, "SELECT seq, id, type, occurred_at, time_quality, payload, prev_hash, hash FROM events ORDER BY seq");
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            long expectedSeq = 1;
            var prevHash = LedgerHash.Genesis;
            long checkedCount = 0;
            while (await rows.ReadAsync(cancellationToken))
            {
                var seq = rows.GetInt64(0);
                if (seq != expectedSeq)
                {
                    return LedgerVerification.Bad(checkedCount, expectedSeq, seq > expectedSeq
                        ? $"seq {expectedSeq.ToString(CultureInfo.InvariantCulture)} is missing (next stored event is {seq.ToString(CultureInfo.InvariantCulture)}): an event was deleted"
                        : $"seq {seq.ToString(CultureInfo.InvariantCulture)} appears where {expectedSeq.ToString(CultureInfo.InvariantCulture)} was expected");
                }

                LedgerEvent e;
                try
                {
                    e = ReadEvent(rows);
                }
                catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
                {
                    return LedgerVerification.Bad(checkedCount, seq, $"seq {seq.ToString(CultureInfo.InvariantCulture)} is unreadable ({ex.Message}): the row was edited");
                }

                if (!string.Equals(e.PrevHash, prevHash, StringComparison.Ordinal))
                {
                    return LedgerVerification.Bad(checkedCount, seq, $"seq {seq.ToString(CultureInfo.InvariantCulture)} does not chain to its predecessor (prev_hash mismatch): events were reordered, inserted or removed");
                }

                if (!LedgerHash.Matches(e))
                {
                    return LedgerVerification.Bad(checkedCount, seq, $"seq {seq.ToString(CultureInfo.InvariantCulture)} does not match its hash: its content was edited");
                }

                prevHash = e.Hash;
                expectedSeq++;
                checkedCount++;
            }

            var acked = AckedSeq;
            if (acked > checkedCount)
            {
                return LedgerVerification.Bad(checkedCount, checkedCount + 1, $"the ledger ends at seq {checkedCount.ToString(CultureInfo.InvariantCulture)} but the cloud acknowledged {acked.ToString(CultureInfo.InvariantCulture)}: events were removed from the end");
            }

            return new LedgerVerification(true, checkedCount, checkedCount, null, null);
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <summary>
    /// Clears the state tables and replays every event into them in one transaction: the recovery
    /// path when a state table is suspected (or a later schema derives new state).
    /// </summary>
    public async Task RebuildStateAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _begin.ExecuteNonQuery();
            try
            {
                foreach (var table in LedgerSchema.StateTables)
                {
                    await ExecuteAsync(_writer, null, $"DELETE FROM {table}", cancellationToken);
                }

                await using var command = Command(_writer, "SELECT seq, type, occurred_at, payload FROM events ORDER BY seq");
                await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await rows.ReadAsync(cancellationToken))
                    {
                        if (LedgerProjection.Deserialize(rows.GetString(1), rows.GetString(3)) is { } payload)
                        {
                            _projection.Apply(rows.GetInt64(0), LedgerText.ParseTime(rows.GetString(2)), payload);
                        }
                    }
                }

                _commit.ExecuteNonQuery();
            }
            catch
            {
                _rollback.ExecuteNonQuery();
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
