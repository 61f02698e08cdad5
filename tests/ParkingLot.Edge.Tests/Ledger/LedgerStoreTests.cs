using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Ledger;

public sealed class LedgerStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AppendAsync_SeveralEvents_ChainsThemGapFreeFromGenesis()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerBuilder.OpenAsync(_directory, time);

        var first = await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved("entry-1", true, "test"));
        time.Advance(TimeSpan.FromSeconds(3));
        var second = await ledger.AppendAsync(EventTypes.GateFault, new GateFault("entry-1", "barrier", "stuck"));

        Assert.Equal(1, first.Seq);
        Assert.Equal(LedgerHash.Genesis, first.PrevHash);
        Assert.Equal(2, second.Seq);
        Assert.Equal(first.Hash, second.PrevHash);
        Assert.Equal(time.GetUtcNow(), second.OccurredAt);
        Assert.True(LedgerHash.Matches(first));
        Assert.True(LedgerHash.Matches(second));
        Assert.Equal(2, ledger.LastSeq);

        var read = await ledger.ReadAfterAsync(0, 10, TestContext.Token);
        Assert.Equal([first.Id, second.Id], read.Select(e => e.Id));
        Assert.Equal([first.Hash, second.Hash], read.Select(e => e.Hash));
        Assert.Equal("stuck", read[1].Payload.GetProperty("fault").GetString());
    }

    [Fact]
    public async Task ReadAfterAsync_FromMiddleWithLimit_ReturnsThatSlice()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.AppendBarrierMovesAsync(ledger, 20);

        var slice = await ledger.ReadAfterAsync(5, 10, TestContext.Token);

        Assert.Equal(Enumerable.Range(6, 10).Select(i => (long)i), slice.Select(e => e.Seq));
    }

    [Fact]
    public async Task ReadAfterAsync_EventsSerialisedInABatch_StillMatchTheirHashes()
    {
        // The cloud verifies hashes on what arrives over MQTT, so the payload text must survive the
        // trip through EdgeEventBatch JSON byte for byte.
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.StayAsync(ledger, "T1", "C001");
        var events = await ledger.ReadAfterAsync(0, 100, TestContext.Token);

        var json = JsonSerializer.Serialize(new EdgeEventBatch(ledger.LotId, ledger.Epoch, 1, events[^1].Seq, events), ParkingLotJsonContext.Default.EdgeEventBatch);
        var batch = JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.EdgeEventBatch)!;

        Assert.All(batch.Events, e => Assert.True(LedgerHash.Matches(e), $"seq {e.Seq} no longer matches its hash"));
    }

    [Fact]
    public async Task VerifyAsync_UntouchedLedger_IsValid()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.StayAsync(ledger, "T1", "C001");
        await LedgerBuilder.AppendBarrierMovesAsync(ledger, 10);

        var result = await ledger.VerifyAsync(TestContext.Token);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(16, result.EventsChecked);
        Assert.Null(result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyAsync_PayloadEditedBySql_NamesTheEditedSeq()
    {
        var path = await WriteLedgerAsync(10);
        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DROP TRIGGER events_no_update");
            LedgerBuilder.Execute(raw, "UPDATE events SET payload = replace(payload, 'move 6', 'move X') WHERE seq = 7");
        }

        var result = await VerifyAsync(path);

        Assert.False(result.IsValid);
        Assert.Equal(7, result.FirstBadSeq);
        Assert.Contains("edited", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type", "'gate.fault'")]
    [InlineData("occurred_at", "'2020-01-01T00:00:00.0000000+00:00'")]
    [InlineData("time_quality", "'synced'")]
    [InlineData("id", "'00000000000000000000000000000001'")]
    public async Task VerifyAsync_FieldEditedBySql_NamesTheEditedSeq(string column, string value)
    {
        var path = await WriteLedgerAsync(6);
        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DROP TRIGGER events_no_update");
            LedgerBuilder.Execute(raw, $"UPDATE events SET {column} = {value} WHERE seq = 4");
        }

        var result = await VerifyAsync(path);

        Assert.False(result.IsValid);
        Assert.Equal(4, result.FirstBadSeq);
    }

    [Fact]
    public async Task VerifyAsync_EditedEventWithRecomputedHash_NamesTheNextSeq()
    {
        // A forger who also recomputes the edited event's own hash still breaks its successor's link.
        var path = await WriteLedgerAsync(8);
        var original = await ReadRawEventAsync(path, 5);
        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DROP TRIGGER events_no_update");
            var e = original with { Payload = JsonDocument.Parse("""{"gateId":"entry-1","open":true,"reason":"forged"}""").RootElement };
            var hash = LedgerHash.Compute(e.PrevHash, e.Seq, e.Id, e.Type, e.OccurredAt, e.TimeQuality, e.Payload.GetRawText());
            using var command = raw.CreateCommand();
            command.CommandText = "UPDATE events SET payload = $p, hash = $h WHERE seq = 5";
            command.Parameters.AddWithValue("$p", e.Payload.GetRawText());
            command.Parameters.AddWithValue("$h", hash);
            command.ExecuteNonQuery();
        }

        var result = await VerifyAsync(path);

        Assert.False(result.IsValid);
        Assert.Equal(6, result.FirstBadSeq);
        Assert.Contains("prev_hash", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_EventDeletedBySql_NamesTheMissingSeq()
    {
        var path = await WriteLedgerAsync(10);
        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DROP TRIGGER events_no_delete");
            LedgerBuilder.Execute(raw, "DELETE FROM events WHERE seq = 4");
        }

        var result = await VerifyAsync(path);

        Assert.False(result.IsValid);
        Assert.Equal(4, result.FirstBadSeq);
        Assert.Contains("deleted", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_TwoEventsSwappedBySql_NamesTheFirstSwappedSeq()
    {
        var path = await WriteLedgerAsync(10);
        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DROP TRIGGER events_no_update");
            LedgerBuilder.Execute(raw, "UPDATE events SET seq = -1 WHERE seq = 5; UPDATE events SET seq = 5 WHERE seq = 6; UPDATE events SET seq = 6 WHERE seq = -1;");
        }

        var result = await VerifyAsync(path);

        Assert.False(result.IsValid);
        Assert.Equal(5, result.FirstBadSeq);
        Assert.Contains("reordered", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_TailDeletedBelowTheAckedSeq_ReportsTheTruncation()
    {
        // Deleting the newest events leaves a valid chain; only the cloud's ack proves they existed.
        var path = _directory.File("ledger.db");
        await using (var ledger = await LedgerStore.OpenAsync(path, LedgerBuilder.LotId, TimeProvider.System, TestContext.Token))
        {
            await LedgerBuilder.AppendBarrierMovesAsync(ledger, 10);
            await ledger.SetAckedSeqAsync(10, TestContext.Token);
        }

        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DROP TRIGGER events_no_delete");
            LedgerBuilder.Execute(raw, "DELETE FROM events WHERE seq > 7");
        }

        var result = await VerifyAsync(path);

        Assert.False(result.IsValid);
        Assert.Equal(8, result.FirstBadSeq);
    }

    [Fact]
    public async Task Events_UpdateOrDeleteWithTriggersInPlace_AreRefused()
    {
        var path = await WriteLedgerAsync(3);
        using var raw = LedgerBuilder.RawConnection(path);

        var update = Assert.Throws<SqliteException>(() => LedgerBuilder.Execute(raw, "UPDATE events SET type = 'x' WHERE seq = 1"));
        var delete = Assert.Throws<SqliteException>(() => LedgerBuilder.Execute(raw, "DELETE FROM events WHERE seq = 1"));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_Reopened_KeepsEpochChainAndAckedSeq()
    {
        var path = _directory.File("ledger.db");
        long epoch;
        LedgerEvent last;
        await using (var ledger = await LedgerStore.OpenAsync(path, LedgerBuilder.LotId, TimeProvider.System, TestContext.Token))
        {
            epoch = ledger.Epoch;
            last = (await LedgerBuilder.AppendBarrierMovesAsync(ledger, 5))[^1];
            await ledger.SetAckedSeqAsync(3, TestContext.Token);
        }

        await using var reopened = await LedgerStore.OpenAsync(path, LedgerBuilder.LotId, TimeProvider.System, TestContext.Token);
        var next = await reopened.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved("exit-1", true, "after reopen"));

        Assert.True(epoch > 0);
        Assert.Equal(epoch, reopened.Epoch);
        Assert.Equal(3, reopened.AckedSeq);
        Assert.Equal(3, await reopened.GetAckedSeqAsync(TestContext.Token));
        Assert.Equal(6, next.Seq);
        Assert.Equal(last.Hash, next.PrevHash);
        Assert.True((await reopened.VerifyAsync(TestContext.Token)).IsValid);
    }

    [Fact]
    public async Task OpenAsync_NewLedgers_GetDifferentEpochs()
    {
        await using var a = await LedgerBuilder.OpenAsync(_directory, name: "a.db");
        await using var b = await LedgerBuilder.OpenAsync(_directory, name: "b.db");

        Assert.NotEqual(a.Epoch, b.Epoch);
    }

    [Fact]
    public async Task OpenAsync_LedgerOfAnotherLot_IsRefused()
    {
        var path = _directory.File("ledger.db");
        await (await LedgerStore.OpenAsync(path, "lot-a", TimeProvider.System, TestContext.Token)).DisposeAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => LedgerStore.OpenAsync(path, "lot-b", TimeProvider.System, TestContext.Token));

        Assert.Contains("lot-a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_EveryConnection_UsesWalAndFullSync()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        using var raw = LedgerBuilder.RawConnection(ledger.Path);

        Assert.Equal("wal", LedgerBuilder.Scalar<string>(raw, "PRAGMA journal_mode"));
        Assert.Equal(1L, LedgerBuilder.Scalar<long>(raw, "SELECT count(*) FROM meta WHERE key = 'epoch' AND CAST(value AS INTEGER) > 0"));
    }

    [Fact]
    public async Task StateTables_AfterStays_MatchTheEvents()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.StayAsync(ledger, "T1", "C001", fee: 300);
        await LedgerBuilder.StayAsync(ledger, "T2", "C002", fee: 450);
        await ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued("T3", "entry-1", VehicleType.Ev, DateTimeOffset.UnixEpoch, "code"));
        await ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", "T3", VehicleType.Ev, CredentialKind.Ticket, null));
        await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged("E001", VehicleType.Ev, true, "sensor-E001"));
        await ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued("T4", "entry-1", VehicleType.Car, DateTimeOffset.UnixEpoch, "code"));

        var open = await ledger.GetOpenSessionsAsync(TestContext.Token);
        var occupancy = await ledger.GetOccupancyAsync(TestContext.Token);
        var payments = await ledger.GetPaymentsAsync(TestContext.Token);
        var closed = await ledger.GetSessionAsync("T2", TestContext.Token);

        Assert.Equal(["T3", "T4"], open.Select(s => s.TicketId));
        Assert.Equal([SessionStatus.Open, SessionStatus.Issued], open.Select(s => s.Status));
        Assert.Equal(1, occupancy[VehicleType.Ev]);
        Assert.Equal(0, occupancy[VehicleType.Car]);
        Assert.Equal(750, payments.Sum(p => p.Amount.Minor));
        Assert.Equal(SessionStatus.Closed, closed!.Status);
        Assert.Equal(new Money(450, "EUR"), closed.Fee);
        Assert.Equal("test-1", closed.TariffVersion);

        // The same facts straight from the event log, independent of the projection code.
        using var raw = LedgerBuilder.RawConnection(ledger.Path);
        var entered = LedgerBuilder.Scalar<long>(raw, "SELECT count(*) FROM events WHERE type = 'vehicle.entered'");
        var exited = LedgerBuilder.Scalar<long>(raw, "SELECT count(*) FROM events WHERE type = 'vehicle.exited'");
        var paid = LedgerBuilder.Scalar<long>(raw, "SELECT sum(json_extract(payload, '$.amount.minor')) FROM events WHERE type = 'payment.recorded'");
        Assert.Equal(entered - exited, open.Count(s => s.Status == SessionStatus.Open));
        Assert.Equal(paid, payments.Sum(p => p.Amount.Minor));
    }

    [Fact]
    public async Task RebuildStateAsync_AfterStateTablesAreWiped_RestoresTheSameState()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.StayAsync(ledger, "T1", "C001");
        await ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", "T2", VehicleType.Car, CredentialKind.Pass, "B1"));
        await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged("C002", VehicleType.Car, true, "sensor-C002"));
        var before = (await ledger.GetOpenSessionsAsync(TestContext.Token), await ledger.GetSpotsAsync(TestContext.Token), await ledger.GetPaymentsAsync(TestContext.Token));
        using (var raw = LedgerBuilder.RawConnection(ledger.Path))
        {
            LedgerBuilder.Execute(raw, "DELETE FROM sessions; DELETE FROM spots; DELETE FROM payments;");
        }

        await ledger.RebuildStateAsync(TestContext.Token);

        Assert.Equal(before.Item1, await ledger.GetOpenSessionsAsync(TestContext.Token));
        Assert.Equal(before.Item2, await ledger.GetSpotsAsync(TestContext.Token));
        Assert.Equal(before.Item3, await ledger.GetPaymentsAsync(TestContext.Token));
    }

    [Fact]
    public async Task AppendAsync_StateUpdateFails_RollsBackTheEventToo()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        var payment = new PaymentRecorded("pay-1", "T1", new Money(100, "EUR"), PaymentMethod.Cash, "test-1");
        await ledger.AppendAsync(EventTypes.PaymentRecorded, payment);

        await Assert.ThrowsAsync<SqliteException>(() => ledger.AppendAsync(EventTypes.PaymentRecorded, payment));
        var next = await ledger.AppendAsync(EventTypes.BarrierMoved, new BarrierMoved("exit-1", true, "after failure"));

        Assert.Equal(2, next.Seq);
        Assert.Single(await ledger.GetPaymentsAsync(TestContext.Token));
        Assert.True((await ledger.VerifyAsync(TestContext.Token)).IsValid);
    }

    [Fact]
    public async Task AppendAsync_PayloadOfAnotherType_IsRefused()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.AppendAsync(EventTypes.VehicleEntered, new BarrierMoved("entry-1", true, "wrong")));
        Assert.Equal(0, ledger.LastSeq);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_ProduceOneGapFreeChain()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => LedgerBuilder.AppendBarrierMovesAsync(ledger, 25))));

        var result = await ledger.VerifyAsync(TestContext.Token);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(200, result.EventsChecked);
    }

    [Fact]
    public async Task SetAckedSeqAsync_Backwards_DoesNotMove()
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.AppendBarrierMovesAsync(ledger, 5);

        Assert.True(await ledger.SetAckedSeqAsync(4, TestContext.Token));
        Assert.False(await ledger.SetAckedSeqAsync(2, TestContext.Token));
        Assert.True(await ledger.SetAckedSeqAsync(99, TestContext.Token));

        Assert.Equal(5, ledger.AckedSeq);
        Assert.Equal(5, await ledger.GetAckedSeqAsync(TestContext.Token));
    }

    private async Task<string> WriteLedgerAsync(int events)
    {
        await using var ledger = await LedgerBuilder.OpenAsync(_directory);
        await LedgerBuilder.AppendBarrierMovesAsync(ledger, events);
        return ledger.Path;
    }

    private static async Task<LedgerVerification> VerifyAsync(string path)
    {
        await using var ledger = await LedgerStore.OpenAsync(path, LedgerBuilder.LotId, TimeProvider.System, TestContext.Token);
        return await ledger.VerifyAsync(TestContext.Token);
    }

    private static async Task<LedgerEvent> ReadRawEventAsync(string path, long seq)
    {
        await using var ledger = await LedgerStore.OpenAsync(path, LedgerBuilder.LotId, TimeProvider.System, TestContext.Token);
        return (await ledger.ReadAfterAsync(seq - 1, 1, TestContext.Token))[0];
    }
}
