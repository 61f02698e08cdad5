using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.PowerCut;

/// <summary>WAL + synchronous=FULL on every connection, and the nightly compacted copy.</summary>
public sealed class LedgerDurabilityTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero));
    private readonly LotFile _lot = new LotFileBuilder().Build();
    private LedgerStore _ledger = null!;

    public async Task InitializeAsync() => _ledger = await LedgerStore.OpenAsync(_directory.File("ledger.db"), _lot.LotId, _time, TestContext.Token);

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Open_EveryConnection_RunsWalWithSynchronousFull()
    {
        var settings = await _ledger.GetDurabilitySettingsAsync(TestContext.Token);

        Assert.Equal(2, settings.Count);
        Assert.All(settings, s => Assert.Equal(("wal", 2L), (s.JournalMode.ToLowerInvariant(), s.Synchronous)));
    }

    [Fact]
    public async Task CompactNow_LedgerWithTraffic_WritesADatedCopyThatVerifiesAndHoldsEveryEvent()
    {
        for (var i = 0; i < 50; i++)
        {
            await LedgerBuilder.StayAsync(_ledger, $"T{i}", $"C{i % 4:000}");
        }

        var compactor = Compactor(keep: 3);

        var path = await compactor.CompactNowAsync(TestContext.Token);

        Assert.Equal(Path.Combine(_directory.Path, "compacted", "ledger-2026-11-25.db"), path);
        Assert.False(File.Exists(path + ".tmp"));
        await using var copy = await LedgerStore.OpenAsync(path, _lot.LotId, _time, TestContext.Token);
        var verification = await copy.VerifyAsync(TestContext.Token);
        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(_ledger.LastSeq, verification.LastSeq);
        Assert.Equal(
            (await _ledger.ReadAfterAsync(0, 10_000, TestContext.Token)).Select(e => e.Hash),
            (await copy.ReadAfterAsync(0, 10_000, TestContext.Token)).Select(e => e.Hash));
        Assert.Equal(await _ledger.GetPaymentsAsync(TestContext.Token), await copy.GetPaymentsAsync(TestContext.Token));
    }

    [Fact]
    public async Task CompactNow_EveryNight_KeepsTheNewestCopies()
    {
        await LedgerBuilder.StayAsync(_ledger, "T1", "C001");
        var compactor = Compactor(keep: 2);

        for (var night = 0; night < 4; night++)
        {
            await compactor.CompactNowAsync(TestContext.Token);
            _time.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(
            ["ledger-2026-11-27.db", "ledger-2026-11-28.db"],
            Directory.GetFiles(compactor.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Verify_CopyMissingItsLastEvents_IsRejected()
    {
        await LedgerBuilder.StayAsync(_ledger, "T1", "C001");
        var compactor = Compactor(keep: 2);
        var path = await compactor.CompactNowAsync(TestContext.Token);

        await Assert.ThrowsAsync<InvalidDataException>(() => compactor.VerifyAsync(path, _ledger.LastSeq + 5, TestContext.Token));
    }

    [Fact]
    public void UntilNext_BeforeAndAfterTheHour_WaitsForTonightOrTomorrow()
    {
        var compactor = Compactor(keep: 2);

        // 01:00 UTC is 02:00 in Berlin: the 03:30 copy is 1.5 h away; at 03:00 UTC it is a day minus half an hour.
        var tonight = compactor.UntilNext();
        _time.Advance(TimeSpan.FromHours(2));
        var tomorrow = compactor.UntilNext();

        Assert.Equal(TimeSpan.FromMinutes(90), tonight);
        Assert.Equal(TimeSpan.FromHours(23.5), tomorrow);
    }

    [Fact]
    public async Task Open_VersionOneLedger_GetsTheLaneTablesFilledFromItsEvents()
    {
        await LedgerBuilder.StayAsync(_ledger, "T1", "C001");
        await _ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", "T2", VehicleType.Car, CredentialKind.Ticket, null), TestContext.Token);
        var path = _ledger.Path;
        await _ledger.DisposeAsync();
        using (var raw = LedgerBuilder.RawConnection(path))
        {
            LedgerBuilder.Execute(raw, "DELETE FROM gate_counts; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
        }

        _ledger = await LedgerStore.OpenAsync(path, _lot.LotId, _time, TestContext.Token);

        Assert.Equal(new GateCount(VehicleType.Car, LaneDecisions.WalkIn, 1), Assert.Single(await _ledger.GetGateCountsAsync(TestContext.Token)));
        Assert.Equal("2", await _ledger.GetMetaAsync("schema_version", TestContext.Token));
    }

    private LedgerCompactor Compactor(int keep) => new(
        _ledger,
        new EdgePaths(_directory.Path),
        _lot,
        Options.Create(new LedgerCompactionOptions { CompactKeep = keep }),
        _time,
        NullLogger<LedgerCompactor>.Instance);
}
