using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Simulation;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.Gates;
using ParkingLot.Edge.Time;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Time;

/// <summary>The trusted-time interval of DESIGN §5 from each source, on a fake clock.</summary>
public sealed class TrustedClockTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeProbe _probe = new();
    private readonly TrustedTimeOptions _options = new();

    [Fact]
    public void Current_NtpSynchronised_IsTheClockPlusMinusTheKernelsMaxError()
    {
        _probe.Sync = new ClockSync(true, TimeSpan.FromMilliseconds(250), false);
        var clock = new TrustedClock(_time, _options, _probe);

        var interval = clock.Current;

        Assert.Equal(TimeQuality.Synced, interval.Quality);
        Assert.Equal(Now.AddMilliseconds(-250), interval.Lo);
        Assert.Equal(Now.AddMilliseconds(250), interval.Hi);
    }

    [Fact]
    public void Current_CloudAnchor_FollowsTheMonotonicClockAndWidensByTheDriftMargin()
    {
        var clock = new TrustedClock(_time, _options, _probe);
        var serverTime = Now.AddMinutes(-7);
        clock.AnchorFromCloud(serverTime, TimeSpan.FromMilliseconds(200));

        _time.Advance(TimeSpan.FromHours(10));
        var interval = clock.Current;

        // 10 h at 100 ppm = 3.6 s, plus the anchor's 0.2 s.
        Assert.Equal(TimeQuality.Anchored, interval.Quality);
        var margin = TimeSpan.FromMilliseconds(3800);
        Assert.Equal(serverTime + TimeSpan.FromHours(10) - margin, interval.Lo);
        Assert.Equal(serverTime + TimeSpan.FromHours(10) + margin, interval.Hi);
    }

    [Fact]
    public void Current_RtcOnly_IsTheClockPlusMinusTheRtcMargin()
    {
        _probe.Sync = new ClockSync(false, null, true);
        var clock = new TrustedClock(_time, _options, _probe);

        var interval = clock.Current;

        Assert.Equal(TimeQuality.Rtc, interval.Quality);
        Assert.Equal(TimeSpan.FromMinutes(10), interval.Width);
    }

    [Fact]
    public void Current_NoSource_IsThePersistedLowerBoundPlusUptimeWithNoUpperBound()
    {
        var clock = new TrustedClock(_time, _options, _probe);
        var persisted = Now.AddDays(-3);
        clock.SetPersistedLowerBound(persisted);

        _time.Advance(TimeSpan.FromMinutes(30));
        var interval = clock.Current;

        Assert.Equal(TimeQuality.Unsynced, interval.Quality);
        Assert.Equal(persisted.AddMinutes(30), interval.Lo);
        Assert.Null(interval.Hi);
        Assert.True(interval.MayIntersect(Now.AddYears(1), null));
        Assert.False(interval.MayIntersect(Now.AddDays(-10), persisted));
        Assert.False(interval.SurelyWithin(persisted.AddDays(-1), Now.AddYears(1)));
    }

    [Fact]
    public void Current_SourceLost_LowerBoundNeverGoesBackwards()
    {
        _probe.Sync = new ClockSync(true, TimeSpan.FromSeconds(1), false);
        var clock = new TrustedClock(_time, _options, _probe);
        var synced = clock.Current.Lo;
        QualitySeen? seen = null;
        clock.QualityChanged += q => seen = new QualitySeen(q);

        _probe.Sync = default;
        clock.Refresh();
        var lost = clock.Current;

        Assert.Equal(TimeQuality.Unsynced, lost.Quality);
        Assert.Equal(synced, lost.Lo);
        Assert.Equal(TimeQuality.Unsynced, seen?.Quality);
    }

    [Fact]
    public async Task Service_PersistsTheLowerBoundAndStampsTheQuality_ARestartWithoutSourceStartsFromIt()
    {
        using var directory = new TempDirectory();
        _probe.Sync = new ClockSync(true, TimeSpan.FromMilliseconds(100), false);
        await using (var ledger = await LedgerStore.OpenAsync(directory.File("ledger.db"), "test-lot", _time, TestContext.Token))
        {
            var service = new TrustedTimeService(new TrustedClock(_time, _options, _probe), ledger, Options.Create(_options), Options.Create(new EdgeOptions()), _time, NullLogger<TrustedTimeService>.Instance);
            await service.StartAsync(TestContext.Token);
            var stamped = await ledger.AppendAsync(EventTypes.AgentStarted, new AgentStarted(Guid.NewGuid(), "test"), TestContext.Token);
            await service.StopAsync(TestContext.Token);
            service.Dispose();
            Assert.Equal(TimeQuality.Synced, stamped.TimeQuality);
        }

        // The Pi reboots an hour later with no network and no RTC; its clock says 1970.
        var rebooted = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var clock = new TrustedClock(rebooted, _options, new FakeProbe());
        await using (var ledger = await LedgerStore.OpenAsync(directory.File("ledger.db"), "test-lot", rebooted, TestContext.Token))
        {
            var service = new TrustedTimeService(clock, ledger, Options.Create(_options), Options.Create(new EdgeOptions()), rebooted, NullLogger<TrustedTimeService>.Instance);
            await service.StartAsync(TestContext.Token);
            var stamped = await ledger.AppendAsync(EventTypes.AgentStarted, new AgentStarted(Guid.NewGuid(), "test"), TestContext.Token);
            await service.StopAsync(TestContext.Token);
            service.Dispose();

            Assert.Equal(TimeQuality.Unsynced, stamped.TimeQuality);
            Assert.Equal(Now.AddMilliseconds(-100), clock.Current.Lo);
            Assert.Null(clock.Current.Hi);
            Assert.Equal(Now.AddMilliseconds(-100), clock.Current.Clamp(rebooted.GetUtcNow()));
        }
    }

    [Fact]
    public async Task Lanes_UnsyncedClock_AdmitAPassThatMayBeValidAndRefuseOneSurelyExpired()
    {
        // A Pi that booted with a stale clock: lo from the ledger, no upper bound.
        var clock = new TrustedClock(_time, _options, _probe);
        clock.SetPersistedLowerBound(Now.AddDays(-2));
        await using var h = await LaneHarness.CreateAsync(clock: clock, time: _time);
        var entry = await h.StartAsync("entry-1");
        var future = h.Cloud.Pass("BK-F", VehicleType.Car, Now.AddDays(5), Now.AddDays(6));
        var expired = h.Cloud.Pass("BK-X", VehicleType.Car, Now.AddDays(-10), Now.AddDays(-3));

        var mayBeValid = await h.VisitAsync(entry, l => l.PresentCode(future));
        var surelyExpired = await h.VisitAsync(entry, l => l.PresentCode(expired));

        Assert.True(mayBeValid.Passed);
        Assert.False(surelyExpired.Passed);
        Assert.Contains("expired at", surelyExpired.Snapshot.LastDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyRing_SyncedInterval_RefusesAPassThatStartsLater()
    {
        using var directory = new TempDirectory();
        var lot = new LotFileBuilder().Build();
        using var signer = TicketSigner.LoadOrCreate(directory.Path, lot.LotId, out _);
        using var cloud = new SimulatedCloudIssuer(directory.Path, lot);
        using var keys = new CredentialKeyRing(signer, new Dictionary<string, string> { [cloud.KeyId] = cloud.PublicKey });
        var interval = new TrustedInterval(Now.AddSeconds(-1), Now.AddSeconds(1), TimeQuality.Synced);

        var check = keys.Verify(cloud.Pass("BK-L", VehicleType.Car, Now.AddHours(2), Now.AddHours(4)), lot.LotId, interval);

        Assert.Equal(CredentialStatus.NotYetValid, check.Status);
        Assert.Contains("valid from", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void LinuxProbe_TimesyncdFlagAndRtcHctosys_AreRead()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("run/systemd/timesync"));
        File.WriteAllText(root.File("run/systemd/timesync/synchronized"), "");
        Directory.CreateDirectory(root.File("sys/class/rtc/rtc0"));
        File.WriteAllText(root.File("sys/class/rtc/rtc0/hctosys"), "1\n");

        var sync = new LinuxClockSyncProbe(_time, root.Path + "/").Probe();
        var nothing = new LinuxClockSyncProbe(_time, root.File("empty") + "/").Probe();

        Assert.True(sync.NtpSynchronised);
        Assert.True(sync.SystemTimeFromRtc);
        Assert.False(nothing.NtpSynchronised);
        Assert.False(nothing.SystemTimeFromRtc);
    }

    private sealed record QualitySeen(TimeQuality Quality);

    private sealed class FakeProbe : IClockSyncProbe
    {
        public ClockSync Sync { get; set; }

        public ClockSync Probe() => Sync;
    }
}
