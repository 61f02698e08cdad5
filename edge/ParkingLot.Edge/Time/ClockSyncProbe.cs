using System.Runtime.InteropServices;

namespace ParkingLot.Edge.Time;

/// <summary>What the operating system says about its clock.</summary>
/// <param name="NtpSynchronised">An NTP client (systemd-timesyncd, chrony, ntpd) keeps the clock synchronised.</param>
/// <param name="MaxError">The kernel's maximum error estimate, when it gives one.</param>
/// <param name="SystemTimeFromRtc">The system time was set from a battery-backed real-time clock at boot.</param>
internal readonly record struct ClockSync(bool NtpSynchronised, TimeSpan? MaxError, bool SystemTimeFromRtc);

/// <summary>Asks the operating system how good its clock is. Tests pass a fake.</summary>
internal interface IClockSyncProbe
{
    ClockSync Probe();
}

/// <summary>
/// Linux: the kernel's NTP state from <c>adjtimex(2)</c> (any NTP client that disciplines the clock,
/// systemd-timesyncd, chrony or ntpd, clears STA_UNSYNC, and the call then returns TIME_OK rather
/// than TIME_ERROR; <c>maxerror</c> bounds the error), falling back to systemd-timesyncd's
/// <c>/run/systemd/timesync/synchronized</c> flag file (created at the first synchronisation after
/// boot) and chrony's drift file (rewritten about hourly while chronyd tracks a source); the RTC from
/// <c>/sys/class/rtc/rtc0/hctosys</c> ("1" when the kernel set the system time from it at boot).
/// Any failure reads as "not synchronised", the pessimistic answer.
/// </summary>
internal sealed class LinuxClockSyncProbe(TimeProvider time, string root = "/") : IClockSyncProbe
{
    private const int TimeError = 5;

    public ClockSync Probe()
    {
        var (synced, maxError) = Kernel();
        if (!synced)
        {
            synced = File.Exists(Path.Combine(root, "run/systemd/timesync/synchronized")) || ChronySynchronised();
        }

        return new ClockSync(synced, maxError, RtcSetSystemTime());
    }

    private (bool Synced, TimeSpan? MaxError) Kernel()
    {
        if (!OperatingSystem.IsLinux() || root != "/")
        {
            return (false, null);
        }

        try
        {
            // struct timex: modes is an int, then longs (offset, freq, maxerror …). Zeroed modes only reads.
            var timex = new byte[512];
            var state = NativeMethods.AdjTimex(timex);
            if (state < 0 || state == TimeError)
            {
                return (false, null);
            }

            var size = IntPtr.Size;
            var maxErrorMicroseconds = size == 8 ? BitConverter.ToInt64(timex, 8 + 2 * size) : BitConverter.ToInt32(timex, 4 + 2 * size);
            return (true, maxErrorMicroseconds > 0 ? TimeSpan.FromMicroseconds(maxErrorMicroseconds) : null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (false, null);
        }
    }

    private bool ChronySynchronised()
    {
        var drift = Path.Combine(root, "var/lib/chrony/chrony.drift");
        var age = time.GetUtcNow() - new DateTimeOffset(File.GetLastWriteTimeUtc(drift), TimeSpan.Zero);
        return File.Exists(drift) && age >= TimeSpan.Zero && age < TimeSpan.FromHours(2);
    }

    private bool RtcSetSystemTime()
    {
        try
        {
            var path = Path.Combine(root, "sys/class/rtc/rtc0/hctosys");
            return File.Exists(path) && File.ReadAllText(path).Trim() == "1";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
        public static extern int AdjTimex([In, Out] byte[] timex);
    }
}
