using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ParkingLot.Edge.Ledger;

namespace ParkingLot.Edge;

/// <summary>Where and how often to tell systemd the agent is alive (from the environment systemd sets).</summary>
/// <param name="NotifySocket">NOTIFY_SOCKET: a Unix datagram socket path (or "@name" for the abstract namespace).</param>
/// <param name="Interval">Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) recommends.</param>
internal sealed record WatchdogTarget(string NotifySocket, TimeSpan Interval)
{
    /// <summary>
    /// The target systemd asked for, or null when it asked for none: no NOTIFY_SOCKET, no
    /// WATCHDOG_USEC (the unit has no WatchdogSec), or WATCHDOG_PID naming another process.
    /// </summary>
    public static WatchdogTarget? FromEnvironment(Func<string, string?> variable, int processId)
    {
        if (variable("NOTIFY_SOCKET") is not { Length: > 0 } socket
            || !long.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec)
            || usec <= 0)
        {
            return null;
        }

        if (variable("WATCHDOG_PID") is { Length: > 0 } pid && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return new WatchdogTarget(socket, TimeSpan.FromMicroseconds(usec) / 2);
    }
}

/// <summary>
/// The systemd watchdog (sd_notify "WATCHDOG=1" every half WatchdogSec). It pings only while the
/// ledger accepts a read: an agent whose thread pool is starved, whose ledger lock is stuck or whose
/// disk hangs stops pinging, and systemd kills and restarts it; power-on recovery then puts the
/// lanes back in a safe state. Microsoft.Extensions.Hosting.Systemd sends READY=1 and STOPPING=1 but
/// no watchdog pings, hence this service.
/// </summary>
internal sealed class SystemdWatchdog(WatchdogTarget target, LedgerStore ledger, TimeProvider time, ILogger<SystemdWatchdog> logger) : BackgroundService
{
    /// <summary>The sd_notify datagram: one "WATCHDOG=1".</summary>
    public static readonly byte[] Ping = Encoding.ASCII.GetBytes("WATCHDOG=1");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.WatchdogEnabled(logger, target.Interval);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var endpoint = new UnixDomainSocketEndPoint(target.NotifySocket.StartsWith('@') ? "\0" + target.NotifySocket[1..] : target.NotifySocket);
        using var timer = new PeriodicTimer(target.Interval, time);
        do
        {
            try
            {
                using var check = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                check.CancelAfter(target.Interval);
                await ledger.GetSpotsAsync(check.Token);
                await socket.SendToAsync(Ping, SocketFlags.None, endpoint, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // No ping this round: systemd decides after WatchdogSec.
                Log.WatchdogSkipped(logger, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

internal static class WatchdogExtensions
{
    /// <summary>The systemd watchdog when the unit has WatchdogSec (hardware/systemd); nothing otherwise.</summary>
    public static void AddWatchdog(this IHostApplicationBuilder builder)
    {
        if (WatchdogTarget.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId) is { } target)
        {
            builder.Services.AddSingleton(target);
            builder.Services.AddHostedService<SystemdWatchdog>();
        }
    }
}
