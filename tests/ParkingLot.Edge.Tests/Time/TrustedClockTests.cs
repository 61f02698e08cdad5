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
    public void Current_NtpClockSteppedBackAnHour_IsRefusedAndTheExtrapolationStands()
    {
        var clock = new SteppableClock(Now);
        _probe.Sync = new ClockSync(true, TimeSpan.FromMilliseconds(250), false);
        var trusted = new TrustedClock(clock, _options, _probe);
        var before = trusted.Current;

        clock.Advance(TimeSpan.FromMinutes(10));
        clock.Step(TimeSpan.FromHours(-1));
        var after = trusted.Current;

        // 10 minutes at 100 ppm = 60 ms of drift either side of the last good reading, carried forward.
        Assert.Equal(1, trusted.RefusedReadings);
        Assert.Equal(before.Lo + TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(60), after.Lo);
        Assert.Equal(before.Hi + TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(60), after.Hi);
        Assert.Equal(1, trusted.RefusedReadings);
    }

    [Fact]
    public void Current_NtpClockSteppedForwardAnHour_IsRefused()
    {
        var clock = new SteppableClock(Now);
        _probe.Sync = new ClockSync(true, TimeSpan.FromMilliseconds(250), false);
        var trusted = new TrustedClock(clock, _options, _probe);
        _ = trusted.Current;

        clock.Step(TimeSpan.FromHours(1));
        var after = trusted.Current;

        Assert.Equal(1, trusted.RefusedReadings);
        Assert.True(after.Hi < Now.AddMinutes(1), $"hi {after.Hi} follows the monotonic clock, not the stepped wall clock");
    }

    [Fact]
    public void Current_SmallNtpCorrectionInsideTheMargin_IsAccepted()
    {
        var clock = new SteppableClock(Now);
        _probe.Sync = new ClockSync(true, TimeSpan.FromMilliseconds(250), false);
        var trusted = new TrustedClock(clock, _options, _probe);
        _ = trusted.Current;

        clock.Advance(TimeSpan.FromMinutes(10));
        clock.Step(TimeSpan.FromMilliseconds(-300));
        var after = trusted.Current;

        Assert.Equal(0, trusted.RefusedReadings);
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromMilliseconds(250), after.Lo);
    }

    [Fact]
    public void Current_PersistedLowerBoundLaterThanNtp_IsHonoured()
    {
        _probe.Sync = new ClockSync(true, TimeSpan.FromMilliseconds(250), false);
        var trusted = new TrustedClock(_time, _options, _probe);
        trusted.SetPersistedLowerBound(Now.AddHours(2));

        _time.Advance(TimeSpan.FromMinutes(5));
        var interval = trusted.Current;

        Assert.Equal(Now.AddHours(2).AddMinutes(5), interval.Lo);
        Assert.True(interval.Hi >= interval.Lo);
    }

    [Fact]
    public void KeyRing_UnsyncedClock_RefusesAPassExpiredLongerAgoThanTheUnsyncedMargin()
    {
        // Off for a week with no source: lo is a week stale, but the Pi's own clock still says "now".
        using var directory = new TempDirectory();
        var lot = new LotFileBuilder().Build();
        using var signer = TicketSigner.LoadOrCreate(directory.Path, lot.LotId, out _);
        using var cloud = new SimulatedCloudIssuer(directory.Path, lot);
        using var keys = new CredentialKeyRing(signer, new Dictionary<string, string> { [cloud.KeyId] = cloud.PublicKey });
        var trusted = new TrustedClock(_time, _options, _probe);
        trusted.SetPersistedLowerBound(Now.AddDays(-7));
        var interval = trusted.Current;

        var longExpired = keys.Verify(cloud.Pass("BK-OLD", VehicleType.Car, Now.AddDays(-2), Now.AddHours(-2)), lot.LotId, interval);
        var justExpired = keys.Verify(cloud.Pass("BK-NEW", VehicleType.Car, Now.AddDays(-2), Now.AddMinutes(-30)), lot.LotId, interval);

        Assert.Equal(TimeQuality.Unsynced, interval.Quality);
        Assert.Equal(Now.AddDays(-7), interval.Lo);
        Assert.Equal(CredentialStatus.Expired, longExpired.Status);
        Assert.Contains("expired at", longExpired.Reason, StringComparison.Ordinal);
        Assert.Equal(CredentialStatus.Valid, justExpired.Status);
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

    /// <summary>A wall clock that can be stepped apart from the monotonic one (FakeTimeProvider moves both together).</summary>
    private sealed class SteppableClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _wall = start;
        private long _monotonic;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _wall;

        public override long GetTimestamp() => _monotonic;

        /// <summary>Real time passes: both clocks move.</summary>
        public void Advance(TimeSpan by)
        {
            _wall += by;
            _monotonic += by.Ticks;
        }

        /// <summary>Someone sets the wall clock: only it moves.</summary>
        public void Step(TimeSpan by) => _wall += by;
    }
}
