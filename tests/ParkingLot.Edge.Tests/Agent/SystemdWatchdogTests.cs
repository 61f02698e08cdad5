using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Agent;

public sealed class SystemdWatchdogTests
{
    [Fact]
    public async Task Watchdog_LedgerAnswers_SendsWatchdogDatagramsToTheNotifySocket()
    {
        using var directory = new TempDirectory();
        var socketPath = directory.File("notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));
        await using var ledger = await LedgerBuilder.OpenAsync(directory);
        using var watchdog = new SystemdWatchdog(new WatchdogTarget(socketPath, TimeSpan.FromMilliseconds(50)), ledger, TimeProvider.System, NullLogger<SystemdWatchdog>.Instance);

        await watchdog.StartAsync(TestContext.Token);
        var buffer = new byte[64];
        var first = await systemd.ReceiveAsync(buffer, SocketFlags.None, TestContext.Token);
        var firstText = Encoding.ASCII.GetString(buffer, 0, first);
        var second = await systemd.ReceiveAsync(buffer, SocketFlags.None, TestContext.Token);
        await watchdog.StopAsync(TestContext.Token);

        Assert.Equal("WATCHDOG=1", firstText);
        Assert.Equal("WATCHDOG=1", Encoding.ASCII.GetString(buffer, 0, second));
    }

    [Fact]
    public async Task Watchdog_LedgerClosed_SendsNothing()
    {
        using var directory = new TempDirectory();
        var socketPath = directory.File("notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));
        var ledger = await LedgerBuilder.OpenAsync(directory);
        await ledger.DisposeAsync();
        using var watchdog = new SystemdWatchdog(new WatchdogTarget(socketPath, TimeSpan.FromMilliseconds(20)), ledger, TimeProvider.System, NullLogger<SystemdWatchdog>.Instance);

        await watchdog.StartAsync(TestContext.Token);

        // Twenty-five intervals without a ping: systemd would kill this agent after WatchdogSec.
        using var window = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var buffer = new byte[64];
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await systemd.ReceiveAsync(buffer, SocketFlags.None, window.Token));
        await watchdog.StopAsync(TestContext.Token);
    }

    [Theory]
    [InlineData("/run/systemd/notify", "30000000", null, 15.0)]
    [InlineData("/run/systemd/notify", "30000000", "4242", 15.0)]
    [InlineData("/run/systemd/notify", "30000000", "1", null)]
    [InlineData(null, "30000000", null, null)]
    [InlineData("/run/systemd/notify", null, null, null)]
    [InlineData("/run/systemd/notify", "0", null, null)]
    public void FromEnvironment_ReadsWhatSystemdSets(string? socket, string? usec, string? pid, double? expectedSeconds)
    {
        var variables = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socket, ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };

        var target = WatchdogTarget.FromEnvironment(name => variables.GetValueOrDefault(name), processId: 4242);

        Assert.Equal(expectedSeconds, target?.Interval.TotalSeconds);
    }
}
