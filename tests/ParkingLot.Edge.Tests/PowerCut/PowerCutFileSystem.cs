using System.Diagnostics;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.PowerCut;

/// <summary>
/// powercutfs (powercutfs.c beside this file) mounted over a backing folder: file data written through
/// <see cref="MountPoint"/> reaches <see cref="Backing"/> only when fsync'd, and <see cref="CutAsync"/>
/// throws away everything not yet synced, as a power cut does to a disk's write cache and the page
/// cache. test.sh builds the binary and exports PARKINGLOT_TEST_POWERCUTFS; without it the test fails
/// with the reason (it never skips: durability is not optional).
/// </summary>
internal sealed class PowerCutFileSystem : IAsyncDisposable
{
    public const string Variable = "PARKINGLOT_TEST_POWERCUTFS";

    private readonly Process _process;
    private bool _mounted;

    private PowerCutFileSystem(Process process, string backing, string mountPoint)
    {
        _process = process;
        Backing = backing;
        MountPoint = mountPoint;
    }

    /// <summary>What survives a cut: the synced state.</summary>
    public string Backing { get; }

    /// <summary>Where the agent writes.</summary>
    public string MountPoint { get; }

    /// <summary>Mounts a fresh file system over <paramref name="backing"/> at <paramref name="mountPoint"/> (both created).</summary>
    public static async Task<PowerCutFileSystem> MountAsync(string backing, string mountPoint)
    {
        var binary = Environment.GetEnvironmentVariable(Variable);
        if (binary is not { Length: > 0 } || !File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set to the built powercutfs. Run the tests through ./test.sh, which installs fuse3 and libfuse3-dev and builds it with gcc.");
        }

        if (!File.Exists("/dev/fuse"))
        {
            throw new InvalidOperationException("/dev/fuse does not exist: this machine cannot mount FUSE file systems, so the power-loss test cannot run here.");
        }

        Directory.CreateDirectory(backing);
        Directory.CreateDirectory(mountPoint);
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(backing);
        start.ArgumentList.Add(mountPoint);
        var process = Process.Start(start) ?? throw new InvalidOperationException("powercutfs did not start");
        var fs = new PowerCutFileSystem(process, backing, mountPoint);
        await TestContext.WaitUntilAsync(() => process.HasExited || IsMounted(mountPoint), TimeSpan.FromSeconds(30), $"powercutfs mounted at {mountPoint}");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"powercutfs could not mount (exit {process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
        }

        fs._mounted = true;
        return fs;
    }

    /// <summary>The power cut: unsynced data is gone and every later write fails; then the file system is unmounted.</summary>
    public async Task CutAsync()
    {
        await SignalAsync("-USR1");

        // Any file-system call makes powercutfs act on the cut before the unmount flushes anything.
        _ = Directory.Exists(Path.Combine(MountPoint, "."));
        await UnmountAsync();
    }

    /// <summary>Toggles "disk full": while on, writes, creates, truncates and fsyncs fail with ENOSPC.</summary>
    public Task ToggleDiskFullAsync() => SignalAsync("-USR2");

    public async ValueTask DisposeAsync()
    {
        await UnmountAsync();
        _process.Dispose();
    }

    /// <summary>Signals our own powercutfs process, by its id.</summary>
    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync(TestContext.Token);
    }

    private static bool IsMounted(string mountPoint) =>
        File.ReadAllLines("/proc/mounts").Any(l => l.Split(' ') is [_, var point, ..] && point == mountPoint);

    private async Task UnmountAsync()
    {
        if (!_mounted)
        {
            return;
        }

        _mounted = false;
        using (var unmount = Process.Start("fusermount3", ["-u", "-z", MountPoint]))
        {
            await unmount!.WaitForExitAsync(TestContext.Token);
        }

        await _process.WaitForExitAsync(TestContext.Token);
    }
}
